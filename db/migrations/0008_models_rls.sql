-- Model runs, their metrics, cluster profiles and assignments are tenant-owned: row-level
-- security like every other table (decision 001).
SELECT quorum_enable_tenant_rls('model_runs');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('model_run_results');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('model_run_clusters');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('model_run_assignments');
