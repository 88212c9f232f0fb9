-- Monitoring tables are tenant-owned: row-level security like every other table (decision 001).
SELECT quorum_enable_tenant_rls('feature_baselines');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('feature_baseline_values');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('monitor_runs');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('drift_results');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('bias_results');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('monitor_alerts');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('monitor_resegmentations');
