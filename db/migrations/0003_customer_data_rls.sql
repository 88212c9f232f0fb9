-- Customer data tables are tenant-owned: row-level security like every other (decision 001).
SELECT quorum_enable_tenant_rls('attribute_definitions');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('imports');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('import_files');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('import_errors');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('customers');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('customer_sources');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('customer_merges');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('transactions');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('customer_features');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('data_quality_reports');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('workspace_settings');
--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_lookup ON imports FOR SELECT TO %I USING (true)', current_user);
END $$;
--> statement-breakpoint
-- Imports left "running" by a worker that died, across tenants, for the workers' recovery
-- (the runner itself takes each import's lock and skips those still alive elsewhere).
CREATE OR REPLACE FUNCTION app_interrupted_imports()
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.tenant_id, i.id FROM imports i WHERE i.status = 'running' ORDER BY i.created_at
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION app_interrupted_imports() FROM PUBLIC;
