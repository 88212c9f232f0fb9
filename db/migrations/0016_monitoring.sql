CREATE TABLE "bias_results" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"segment_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"attribute" text NOT NULL,
	"n" integer NOT NULL,
	"selected" integer NOT NULL,
	"min_di_vs_max" double precision,
	"demographic_parity_difference" double precision NOT NULL,
	"statistical_parity_difference" double precision NOT NULL,
	"chi2" double precision,
	"chi2_p" double precision,
	"fails_four_fifths" boolean NOT NULL,
	"groups" jsonb NOT NULL,
	CONSTRAINT "bias_results_tenant_id_run_id_segment_id_attribute_pk" PRIMARY KEY("tenant_id","run_id","segment_id","attribute")
);
--> statement-breakpoint
CREATE TABLE "drift_results" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"feature" text NOT NULL,
	"type" text NOT NULL,
	"n_reference" integer NOT NULL,
	"n_current" integer NOT NULL,
	"psi" double precision NOT NULL,
	"ks" double precision,
	"ks_p" double precision,
	"ks_method" text,
	"chi2" double precision,
	"chi2_p" double precision,
	"jensen_shannon" double precision NOT NULL,
	"wasserstein_norm" double precision,
	"band" text NOT NULL,
	"detail" jsonb NOT NULL,
	CONSTRAINT "drift_results_tenant_id_run_id_feature_pk" PRIMARY KEY("tenant_id","run_id","feature")
);
--> statement-breakpoint
CREATE TABLE "feature_baseline_values" (
	"tenant_id" uuid NOT NULL,
	"baseline_id" uuid NOT NULL,
	"feature" text NOT NULL,
	"n" integer NOT NULL,
	"sorted_values" "bytea",
	"counts" jsonb,
	CONSTRAINT "feature_baseline_values_tenant_id_baseline_id_feature_pk" PRIMARY KEY("tenant_id","baseline_id","feature")
);
--> statement-breakpoint
CREATE TABLE "feature_baselines" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"reason" text NOT NULL,
	"customer_count" integer NOT NULL,
	"features_computed_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feature_baselines_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "monitor_alerts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"segment_id" uuid,
	"subject" text NOT NULL,
	"band" text NOT NULL,
	"message" text NOT NULL,
	"proposal_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" uuid,
	"acknowledgement" text,
	CONSTRAINT "monitor_alerts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "monitor_resegmentations" (
	"tenant_id" uuid NOT NULL,
	"segment_id" uuid NOT NULL,
	"proposal_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitor_resegmentations_tenant_id_segment_id_pk" PRIMARY KEY("tenant_id","segment_id")
);
--> statement-breakpoint
CREATE TABLE "monitor_runs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"baseline_id" uuid,
	"segment_id" uuid,
	"version" integer,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"worst_band" text,
	"summary" text,
	"error" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "monitor_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "monitor_runs_kind_check" CHECK ("monitor_runs"."kind" in ('drift','bias')),
	CONSTRAINT "monitor_runs_status_check" CHECK ("monitor_runs"."status" in ('queued','running','completed','failed'))
);
--> statement-breakpoint
ALTER TABLE "bias_results" ADD CONSTRAINT "bias_results_tenant_id_run_id_monitor_runs_tenant_id_id_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."monitor_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bias_results" ADD CONSTRAINT "bias_results_tenant_id_segment_id_segments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."segments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_results" ADD CONSTRAINT "drift_results_tenant_id_run_id_monitor_runs_tenant_id_id_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."monitor_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_baseline_values" ADD CONSTRAINT "feature_baseline_values_tenant_id_baseline_id_feature_baselines_tenant_id_id_fk" FOREIGN KEY ("tenant_id","baseline_id") REFERENCES "public"."feature_baselines"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_baselines" ADD CONSTRAINT "feature_baselines_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_baselines" ADD CONSTRAINT "feature_baselines_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_alerts" ADD CONSTRAINT "monitor_alerts_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_alerts" ADD CONSTRAINT "monitor_alerts_tenant_id_run_id_monitor_runs_tenant_id_id_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."monitor_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_alerts" ADD CONSTRAINT "monitor_alerts_tenant_id_segment_id_segments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."segments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_resegmentations" ADD CONSTRAINT "monitor_resegmentations_tenant_id_segment_id_segments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."segments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_resegmentations" ADD CONSTRAINT "monitor_resegmentations_tenant_id_proposal_id_segment_proposals_tenant_id_id_fk" FOREIGN KEY ("tenant_id","proposal_id") REFERENCES "public"."segment_proposals"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_resegmentations" ADD CONSTRAINT "monitor_resegmentations_tenant_id_run_id_monitor_runs_tenant_id_id_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."monitor_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_runs" ADD CONSTRAINT "monitor_runs_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_runs" ADD CONSTRAINT "monitor_runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_runs" ADD CONSTRAINT "monitor_runs_tenant_id_baseline_id_feature_baselines_tenant_id_id_fk" FOREIGN KEY ("tenant_id","baseline_id") REFERENCES "public"."feature_baselines"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feature_baselines_created_idx" ON "feature_baselines" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "monitor_alerts_open_idx" ON "monitor_alerts" USING btree ("tenant_id","created_at") WHERE "monitor_alerts"."acknowledged_at" is null;--> statement-breakpoint
CREATE INDEX "monitor_runs_created_idx" ON "monitor_runs" USING btree ("tenant_id","kind","created_at");