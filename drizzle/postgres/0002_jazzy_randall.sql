ALTER TABLE "jobs" DROP CONSTRAINT "jobs_state_check";--> statement-breakpoint
DROP INDEX "jobs_finished_idx";--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "key_expires_at" bigint;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "result" jsonb;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "progress" jsonb;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "notify_done" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "jobs_finished_idx" ON "jobs" USING btree ("finished_at") WHERE "jobs"."state" in ('succeeded', 'dead', 'cancelled');--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" in ('scheduled', 'ready', 'running', 'succeeded', 'failed', 'dead', 'cancelled'));