CREATE TABLE "swot_boards" (
	"tenant_id" uuid NOT NULL,
	"segment_id" uuid NOT NULL,
	"review_every" integer,
	"review_due_on" date,
	"last_reviewed_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "swot_boards_tenant_id_segment_id_pk" PRIMARY KEY("tenant_id","segment_id"),
	CONSTRAINT "swot_boards_review_every_check" CHECK ("swot_boards"."review_every" is null or "swot_boards"."review_every" between 1 and 60)
);
--> statement-breakpoint
CREATE TABLE "swot_reviews" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"segment_id" uuid NOT NULL,
	"reviewed_on" date NOT NULL,
	"state" "bytea" NOT NULL,
	"board" jsonb NOT NULL,
	"participants" jsonb NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"reviewed_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "swot_reviews_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "swot_boards" ADD CONSTRAINT "swot_boards_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swot_boards" ADD CONSTRAINT "swot_boards_tenant_id_segment_id_segments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."segments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swot_reviews" ADD CONSTRAINT "swot_reviews_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swot_reviews" ADD CONSTRAINT "swot_reviews_tenant_id_segment_id_swot_boards_tenant_id_segment_id_fk" FOREIGN KEY ("tenant_id","segment_id") REFERENCES "public"."swot_boards"("tenant_id","segment_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "swot_boards_due_idx" ON "swot_boards" USING btree ("tenant_id","review_due_on");--> statement-breakpoint
CREATE INDEX "swot_reviews_board_idx" ON "swot_reviews" USING btree ("tenant_id","segment_id","created_at");