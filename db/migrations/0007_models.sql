CREATE TABLE "model_run_assignments" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"cluster" smallint NOT NULL,
	CONSTRAINT "model_run_assignments_tenant_id_run_id_customer_id_pk" PRIMARY KEY("tenant_id","run_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "model_run_clusters" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"k" smallint NOT NULL,
	"cluster" smallint NOT NULL,
	"size" integer NOT NULL,
	"profile" jsonb NOT NULL,
	"suggested_name" text NOT NULL,
	"pca_x" double precision NOT NULL,
	"pca_y" double precision NOT NULL,
	CONSTRAINT "model_run_clusters_tenant_id_run_id_k_cluster_pk" PRIMARY KEY("tenant_id","run_id","k","cluster")
);
--> statement-breakpoint
CREATE TABLE "model_run_results" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"k" smallint NOT NULL,
	"inertia" double precision NOT NULL,
	"silhouette" double precision NOT NULL,
	"silhouette_sampled" boolean NOT NULL,
	"silhouette_sample_size" integer,
	"calinski_harabasz" double precision NOT NULL,
	"davies_bouldin" double precision NOT NULL,
	"sizes" integer[] NOT NULL,
	CONSTRAINT "model_run_results_tenant_id_run_id_k_pk" PRIMARY KEY("tenant_id","run_id","k")
);
--> statement-breakpoint
CREATE TABLE "model_runs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"algorithm" text DEFAULT 'kmeans' NOT NULL,
	"params" jsonb NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"progress_message" text,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"error" text,
	"recommended_k" smallint,
	"recommendation_reason" text,
	"chosen_k" smallint,
	"n" integer,
	"data_snapshot" jsonb,
	"pca" jsonb,
	"code_version" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "model_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "model_run_assignments" ADD CONSTRAINT "model_run_assignments_tenant_id_run_id_model_runs_tenant_id_id_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."model_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_run_clusters" ADD CONSTRAINT "model_run_clusters_tenant_id_run_id_model_runs_tenant_id_id_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."model_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_run_results" ADD CONSTRAINT "model_run_results_tenant_id_run_id_model_runs_tenant_id_id_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."model_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_runs" ADD CONSTRAINT "model_runs_tenant_id_workspaces_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_runs" ADD CONSTRAINT "model_runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_run_assignments_customer_idx" ON "model_run_assignments" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "model_runs_created_idx" ON "model_runs" USING btree ("tenant_id","created_at");