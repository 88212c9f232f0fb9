ALTER TABLE "segment_proposals" ADD COLUMN "bias_justification" text;--> statement-breakpoint
ALTER TABLE "segment_proposals" ADD COLUMN "bias_justified_by" uuid;--> statement-breakpoint
ALTER TABLE "segment_proposals" ADD COLUMN "bias_justified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "segment_proposals" ADD CONSTRAINT "segment_proposals_bias_justified_by_users_id_fk" FOREIGN KEY ("bias_justified_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;