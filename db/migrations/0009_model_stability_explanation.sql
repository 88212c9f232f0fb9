ALTER TABLE "model_runs" ADD COLUMN "stability" jsonb;--> statement-breakpoint
ALTER TABLE "model_runs" ADD COLUMN "explanation" jsonb;