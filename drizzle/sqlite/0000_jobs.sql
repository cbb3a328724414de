CREATE TABLE `errand_jobs_id_floor` (
	`id` integer PRIMARY KEY NOT NULL,
	`floor` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `errand_jobs` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`queue` text NOT NULL,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`priority` integer NOT NULL,
	`run_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer NOT NULL,
	`key` text,
	`locked_by` text,
	`lease_expires_at` integer,
	`enqueued_at` integer NOT NULL,
	`finished_at` integer,
	`errors` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `errand_jobs_key_idx` ON `errand_jobs` (`key`) WHERE key IS NOT NULL;--> statement-breakpoint
CREATE INDEX `errand_jobs_claim_idx` ON `errand_jobs` (priority DESC,`run_at`,`id`) WHERE state IN ('scheduled', 'ready', 'failed');--> statement-breakpoint
CREATE INDEX `errand_jobs_lease_idx` ON `errand_jobs` (`lease_expires_at`) WHERE state = 'running';