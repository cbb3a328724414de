CREATE TABLE `errand_event_waits` (
	`job_id` integer PRIMARY KEY NOT NULL,
	`event` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `errand_event_waits_event_idx` ON `errand_event_waits` (`event`);--> statement-breakpoint
CREATE TABLE `errand_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`data` text NOT NULL,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `errand_events_name_idx` ON `errand_events` (`name`,`sent_at`);--> statement-breakpoint
CREATE TABLE `errand_job_dependencies` (
	`waiter_id` integer NOT NULL,
	`dependency_id` integer NOT NULL,
	`kind` text NOT NULL,
	`on_failure` text NOT NULL,
	`settled` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`waiter_id`, `dependency_id`)
);
--> statement-breakpoint
CREATE INDEX `errand_job_dependencies_open_idx` ON `errand_job_dependencies` (`waiter_id`) WHERE settled = 0;--> statement-breakpoint
CREATE TABLE `errand_workflow_steps` (
	`job_id` integer NOT NULL,
	`step_id` text NOT NULL,
	`seq` integer NOT NULL,
	`result` text,
	`done` integer NOT NULL,
	PRIMARY KEY(`job_id`, `step_id`)
);
