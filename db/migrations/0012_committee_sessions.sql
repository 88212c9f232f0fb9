CREATE TABLE "committee_sessions" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"chair_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"current_item_id" uuid,
	"current_since" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"minutes" text,
	CONSTRAINT "committee_sessions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "committee_sessions_status_check" CHECK ("committee_sessions"."status" in ('scheduled','live','closed'))
);
--> statement-breakpoint
CREATE TABLE "session_agenda_items" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"proposal_id" uuid,
	"segment_id" uuid,
	"title" text NOT NULL,
	"time_box_minutes" integer NOT NULL,
	"spent_ms" bigint DEFAULT 0 NOT NULL,
	"outcome" text,
	"tally" jsonb,
	CONSTRAINT "session_agenda_items_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "session_agenda_items_kind_check" CHECK ("session_agenda_items"."kind" in ('proposal','swot','topic')),
	CONSTRAINT "session_agenda_items_ref_check" CHECK (("session_agenda_items"."kind" = 'proposal') = ("session_agenda_items"."proposal_id" is not null) and ("session_agenda_items"."kind" = 'swot') = ("session_agenda_items"."segment_id" is not null)),
	CONSTRAINT "session_agenda_items_time_box_check" CHECK ("session_agenda_items"."time_box_minutes" between 1 and 240)
);
--> statement-breakpoint
CREATE TABLE "session_attendees" (
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_attendees_tenant_id_session_id_user_id_pk" PRIMARY KEY("tenant_id","session_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "committee_sessions" ADD CONSTRAINT "committee_sessions_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_sessions" ADD CONSTRAINT "committee_sessions_chair_id_users_id_fk" FOREIGN KEY ("chair_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_sessions" ADD CONSTRAINT "committee_sessions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_sessions" ADD CONSTRAINT "committee_sessions_closed_by_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_agenda_items" ADD CONSTRAINT "session_agenda_items_tenant_id_session_id_committee_sessions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","session_id") REFERENCES "public"."committee_sessions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_agenda_items" ADD CONSTRAINT "session_agenda_items_tenant_id_proposal_id_segment_proposals_tenant_id_id_fk" FOREIGN KEY ("tenant_id","proposal_id") REFERENCES "public"."segment_proposals"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_agenda_items" ADD CONSTRAINT "session_agenda_items_tenant_id_segment_id_segments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."segments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_attendees" ADD CONSTRAINT "session_attendees_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_attendees" ADD CONSTRAINT "session_attendees_tenant_id_session_id_committee_sessions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","session_id") REFERENCES "public"."committee_sessions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "committee_sessions_scheduled_idx" ON "committee_sessions" USING btree ("tenant_id","scheduled_at");--> statement-breakpoint
CREATE INDEX "session_agenda_items_session_idx" ON "session_agenda_items" USING btree ("tenant_id","session_id","position");--> statement-breakpoint
CREATE INDEX "session_agenda_items_proposal_idx" ON "session_agenda_items" USING btree ("tenant_id","proposal_id");