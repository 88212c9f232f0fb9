-- Segments, their versions, memberships, proposals and co-edited documents are tenant-owned:
-- row-level security like every other table (decision 001).
SELECT quorum_enable_tenant_rls('segments');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('segment_versions');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('segment_memberships');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('segment_proposals');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('proposal_votes');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('proposal_comments');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('collab_updates');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('collab_snapshots');
