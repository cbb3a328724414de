ALTER TABLE `errand_jobs` ADD `key_expires_at` integer;--> statement-breakpoint
ALTER TABLE `errand_jobs` ADD `result` text;--> statement-breakpoint
ALTER TABLE `errand_jobs` ADD `progress` text;