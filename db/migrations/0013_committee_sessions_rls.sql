-- Committee sessions, their agenda items and attendance are tenant-owned: row-level security
-- like every other table (decision 001).
SELECT quorum_enable_tenant_rls('committee_sessions');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('session_agenda_items');
--> statement-breakpoint
SELECT quorum_enable_tenant_rls('session_attendees');
