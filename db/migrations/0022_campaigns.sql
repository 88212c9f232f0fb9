CREATE TABLE "campaign_members" (
	"tenant_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"region" text,
	"holdout" boolean NOT NULL,
	"draw" double precision NOT NULL,
	CONSTRAINT "campaign_members_tenant_id_campaign_id_customer_id_pk" PRIMARY KEY("tenant_id","campaign_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"segment_id" uuid NOT NULL,
	"channels" text[] NOT NULL,
	"budget" double precision NOT NULL,
	"actual_cost" double precision,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"frequency_cap" integer,
	"holdout_percent" double precision NOT NULL,
	"stratify_by_region" boolean DEFAULT false NOT NULL,
	"outcome" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"segment_version" integer,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"launched_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "campaigns_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "campaigns_status_check" CHECK ("campaigns"."status" in ('draft','running','finished')),
	CONSTRAINT "campaigns_outcome_check" CHECK ("campaigns"."outcome" in ('conversion','revenue')),
	CONSTRAINT "campaigns_channels_check" CHECK (cardinality("campaigns"."channels") > 0 and "campaigns"."channels" <@ array['email','paid_media','sales','web']),
	CONSTRAINT "campaigns_period_check" CHECK ("campaigns"."period_end" >= "campaigns"."period_start"),
	CONSTRAINT "campaigns_holdout_check" CHECK ("campaigns"."holdout_percent" >= 1 and "campaigns"."holdout_percent" <= 50),
	CONSTRAINT "campaigns_money_check" CHECK ("campaigns"."budget" >= 0 and ("campaigns"."actual_cost" is null or "campaigns"."actual_cost" >= 0)),
	CONSTRAINT "campaigns_frequency_cap_check" CHECK ("campaigns"."frequency_cap" is null or "campaigns"."frequency_cap" > 0)
);
--> statement-breakpoint
CREATE TABLE "cost_to_serve" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"scope" text NOT NULL,
	"customer_id" uuid,
	"segment_id" uuid,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"amount" double precision NOT NULL,
	"source" text NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cost_to_serve_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "cost_to_serve_scope_check" CHECK (("cost_to_serve"."scope" = 'customer' and "cost_to_serve"."customer_id" is not null and "cost_to_serve"."segment_id" is null) or ("cost_to_serve"."scope" = 'segment' and "cost_to_serve"."segment_id" is not null and "cost_to_serve"."customer_id" is null)),
	CONSTRAINT "cost_to_serve_period_check" CHECK ("cost_to_serve"."period_end" >= "cost_to_serve"."period_start"),
	CONSTRAINT "cost_to_serve_amount_check" CHECK ("cost_to_serve"."amount" >= 0)
);
--> statement-breakpoint
ALTER TABLE "campaign_members" ADD CONSTRAINT "campaign_members_tenant_id_campaign_id_campaigns_tenant_id_id_fk" FOREIGN KEY ("tenant_id","campaign_id") REFERENCES "public"."campaigns"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_members" ADD CONSTRAINT "campaign_members_tenant_id_customer_id_customers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_tenant_id_segment_id_segments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."segments"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_to_serve" ADD CONSTRAINT "cost_to_serve_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_to_serve" ADD CONSTRAINT "cost_to_serve_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_to_serve" ADD CONSTRAINT "cost_to_serve_tenant_id_customer_id_customers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_to_serve" ADD CONSTRAINT "cost_to_serve_tenant_id_segment_id_segments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."segments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaigns_segment_idx" ON "campaigns" USING btree ("tenant_id","segment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cost_to_serve_customer_period_idx" ON "cost_to_serve" USING btree ("tenant_id","customer_id","period_start","period_end") WHERE "cost_to_serve"."customer_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "cost_to_serve_segment_period_idx" ON "cost_to_serve" USING btree ("tenant_id","segment_id","period_start","period_end") WHERE "cost_to_serve"."segment_id" is not null;