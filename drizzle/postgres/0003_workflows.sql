CREATE TABLE "event_waits" (
	"job_id" bigint PRIMARY KEY NOT NULL,
	"event" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"data" jsonb NOT NULL,
	"sent_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_dependencies" (
	"waiter_id" bigint NOT NULL,
	"dependency_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"on_failure" text NOT NULL,
	"settled" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "job_dependencies_waiter_id_dependency_id_pk" PRIMARY KEY("waiter_id","dependency_id")
);
--> statement-breakpoint
CREATE TABLE "workflow_steps" (
	"job_id" bigint NOT NULL,
	"step_id" text NOT NULL,
	"seq" integer NOT NULL,
	"result" jsonb,
	"done" integer NOT NULL,
	CONSTRAINT "workflow_steps_job_id_step_id_pk" PRIMARY KEY("job_id","step_id")
);
--> statement-breakpoint
CREATE INDEX "event_waits_event_idx" ON "event_waits" USING btree ("event");--> statement-breakpoint
CREATE INDEX "events_name_idx" ON "events" USING btree ("name","sent_at");--> statement-breakpoint
CREATE INDEX "job_dependencies_open_idx" ON "job_dependencies" USING btree ("waiter_id") WHERE "job_dependencies"."settled" = 0;