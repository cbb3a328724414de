CREATE TABLE `errand_job_starts` (
	`name` text NOT NULL,
	`rate_key` text NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `errand_job_starts_idx` ON `errand_job_starts` (`name`,`rate_key`,`started_at`);--> statement-breakpoint
CREATE TABLE `errand_paused` (
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`paused_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `value`)
);
--> statement-breakpoint
ALTER TABLE `errand_jobs` ADD `group_key` text;--> statement-breakpoint
ALTER TABLE `errand_jobs` ADD `rate_key` text;