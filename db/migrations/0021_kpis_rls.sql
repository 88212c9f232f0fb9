-- KPI tables are tenant-owned: row-level security like every other table (decision 001).
SELECT quorum_enable_tenant_rls('events');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('kpi_definitions');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('kpi_targets');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('kpi_rollups');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('kpi_rollup_runs');
