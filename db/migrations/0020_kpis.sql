CREATE TABLE "events" (
	"tenant_id" uuid NOT NULL,
	"id" text NOT NULL,
	"customer_external_id" text,
	"type" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"value" double precision,
	"channel" text,
	"campaign" text,
	"import_id" uuid NOT NULL,
	CONSTRAINT "events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "kpi_definitions" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"builtin" text,
	"spec" jsonb,
	"unit" text NOT NULL,
	"direction" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"owner_user_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kpi_definitions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "kpi_definitions_key_unique" UNIQUE("tenant_id","key"),
	CONSTRAINT "kpi_definitions_kind_check" CHECK (("kpi_definitions"."builtin" is null) <> ("kpi_definitions"."spec" is null)),
	CONSTRAINT "kpi_definitions_direction_check" CHECK ("kpi_definitions"."direction" in ('higher','lower'))
);
--> statement-breakpoint
CREATE TABLE "kpi_rollup_runs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"import_id" uuid,
	"segment_ids" uuid[],
	"from_at" timestamp with time zone,
	"to_at" timestamp with time zone,
	"progress" double precision DEFAULT 0 NOT NULL,
	"step" text,
	"rows_written" integer,
	"error" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "kpi_rollup_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "kpi_rollup_runs_status_check" CHECK ("kpi_rollup_runs"."status" in ('queued','running','completed','failed'))
);
--> statement-breakpoint
CREATE TABLE "kpi_rollups" (
	"tenant_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"region_id" uuid NOT NULL,
	"period_start" date NOT NULL,
	"segment_id" uuid NOT NULL,
	"kpi_id" uuid NOT NULL,
	"value" double precision,
	"numerator" double precision,
	"denominator" double precision,
	"customers" integer NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kpi_rollups_tenant_id_grain_region_id_period_start_segment_id_kpi_id_pk" PRIMARY KEY("tenant_id","grain","region_id","period_start","segment_id","kpi_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_targets" (
	"tenant_id" uuid NOT NULL,
	"kpi_id" uuid NOT NULL,
	"segment_id" uuid NOT NULL,
	"target" double precision NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kpi_targets_tenant_id_kpi_id_segment_id_pk" PRIMARY KEY("tenant_id","kpi_id","segment_id")
);
--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_definitions" ADD CONSTRAINT "kpi_definitions_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_definitions" ADD CONSTRAINT "kpi_definitions_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_definitions" ADD CONSTRAINT "kpi_definitions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_rollup_runs" ADD CONSTRAINT "kpi_rollup_runs_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_rollup_runs" ADD CONSTRAINT "kpi_rollup_runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_targets" ADD CONSTRAINT "kpi_targets_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_targets" ADD CONSTRAINT "kpi_targets_tenant_id_kpi_id_kpi_definitions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","kpi_id") REFERENCES "public"."kpi_definitions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_occurred_idx" ON "events" USING btree ("tenant_id","occurred_at");--> statement-breakpoint
CREATE INDEX "kpi_rollup_runs_created_idx" ON "kpi_rollup_runs" USING btree ("tenant_id","created_at");