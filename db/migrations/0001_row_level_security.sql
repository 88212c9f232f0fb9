-- Tenant isolation under the application: every tenant-owned table has row-level security,
-- ENABLEd and FORCEd, with one policy that matches rows of the tenant set in app.tenant_id.
-- An unset (NULL) or reset ('') setting matches no row and raises no error.
CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
$$;
--> statement-breakpoint
-- Later migrations call this for each new tenant-owned table.
CREATE OR REPLACE FUNCTION quorum_enable_tenant_rls(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())',
    tbl);
END $$;
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('memberships');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('regions');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('membership_regions');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('invites');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('audit_log');
--> statement-breakpoint
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON workspaces
  USING (id = app_current_tenant()) WITH CHECK (id = app_current_tenant());
--> statement-breakpoint
-- The owner role (which runs migrations and owns the lookup function below) may read
-- memberships and workspaces across tenants even when it is not a superuser.
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_lookup ON memberships FOR SELECT TO %I USING (true)', current_user);
  EXECUTE format('CREATE POLICY owner_lookup ON workspaces FOR SELECT TO %I USING (true)', current_user);
END $$;
--> statement-breakpoint
-- Which workspaces a signed-in user belongs to: the one cross-tenant read the app needs,
-- answered only for the user id the server resolved from the session.
CREATE OR REPLACE FUNCTION app_user_workspaces(p_user_id uuid)
RETURNS TABLE (tenant_id uuid, slug text, name text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT w.id, w.slug, w.name, m.role
  FROM memberships m JOIN workspaces w ON w.id = m.tenant_id
  WHERE m.user_id = p_user_id
  ORDER BY m.created_at, w.name
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION app_user_workspaces(uuid) FROM PUBLIC;
--> statement-breakpoint
-- The audit log is append-only for everyone: no UPDATE, DELETE or TRUNCATE.
CREATE OR REPLACE FUNCTION audit_log_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
