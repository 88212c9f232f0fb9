-- Campaign tables are tenant-owned: row-level security like every other table (decision 001).
SELECT quorum_enable_tenant_rls('campaigns');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('campaign_members');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('cost_to_serve');
