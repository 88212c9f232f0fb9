-- Every workspace's id, for the workers' hourly monitoring sweep (workers/jobs/monitor-run.ts),
-- which then reads each workspace's schedule inside that workspace (RLS applies there).
CREATE OR REPLACE FUNCTION app_workspace_ids()
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT w.id FROM workspaces w ORDER BY w.created_at
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION app_workspace_ids() FROM PUBLIC;
