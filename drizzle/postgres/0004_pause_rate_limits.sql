CREATE TABLE "job_starts" (
	"name" text NOT NULL,
	"rate_key" text NOT NULL,
	"started_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "paused" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"paused_at" bigint NOT NULL,
	CONSTRAINT "paused_kind_value_pk" PRIMARY KEY("kind","value"),
	CONSTRAINT "paused_kind_check" CHECK ("paused"."kind" in ('name', 'queue'))
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "group_key" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "rate_key" text;--> statement-breakpoint
CREATE INDEX "job_starts_idx" ON "job_starts" USING btree ("name","rate_key","started_at");