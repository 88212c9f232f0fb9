-- API keys, webhook endpoints and deliveries, and recorded materialisation failures are
-- tenant-owned: row-level security like every other table (decision 001). API keys are looked
-- up with the workspace their key names (decision 008), so no cross-tenant read is needed.
SELECT quorum_enable_tenant_rls('api_keys');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('webhook_endpoints');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('webhook_deliveries');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('segment_materialisation_failures');
