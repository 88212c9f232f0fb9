-- SWOT boards and their reviews are tenant-owned: row-level security like every other table
-- (decision 001).
SELECT quorum_enable_tenant_rls('swot_boards');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('swot_reviews');
