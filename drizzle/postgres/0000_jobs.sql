CREATE TABLE "jobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"queue" text NOT NULL,
	"state" text NOT NULL,
	"payload" jsonb NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"key" text,
	"run_at" bigint NOT NULL,
	"enqueued_at" bigint NOT NULL,
	"locked_by" text,
	"lease_expires_at" bigint,
	"finished_at" bigint,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" in ('scheduled', 'ready', 'running', 'succeeded', 'failed', 'dead'))
);
--> statement-breakpoint
CREATE INDEX "jobs_claim_idx" ON "jobs" USING btree ("name","priority" DESC NULLS LAST,"run_at","id") WHERE "jobs"."state" in ('scheduled', 'ready', 'failed');--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_key_idx" ON "jobs" USING btree ("key") WHERE "jobs"."key" is not null;--> statement-breakpoint
CREATE INDEX "jobs_running_idx" ON "jobs" USING btree ("lease_expires_at") WHERE "jobs"."state" = 'running';--> statement-breakpoint
CREATE INDEX "jobs_finished_idx" ON "jobs" USING btree ("finished_at") WHERE "jobs"."state" in ('succeeded', 'dead');