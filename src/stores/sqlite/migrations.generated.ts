// Generated from drizzle/sqlite by scripts/embed-migrations.ts (bun run migrations:generate). Do not edit.
import type { EmbeddedMigration } from "../common.ts";

export const migrations: readonly EmbeddedMigration[] = [
  {
    tag: "0000_jobs",
    createdAt: 1795687062571,
    hash: "3f83e09384015a6e1157326520d81b2c63fa76d7046695bedf14b4b0d875b7b1",
    statements: [
      "CREATE TABLE `errand_jobs_id_floor` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`floor` integer NOT NULL\n);\n",
      "\nCREATE TABLE `errand_jobs` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`name` text NOT NULL,\n\t`queue` text NOT NULL,\n\t`payload` text NOT NULL,\n\t`state` text NOT NULL,\n\t`priority` integer NOT NULL,\n\t`run_at` integer NOT NULL,\n\t`attempts` integer DEFAULT 0 NOT NULL,\n\t`max_attempts` integer NOT NULL,\n\t`key` text,\n\t`locked_by` text,\n\t`lease_expires_at` integer,\n\t`enqueued_at` integer NOT NULL,\n\t`finished_at` integer,\n\t`errors` text DEFAULT '[]' NOT NULL\n);\n",
      "\nCREATE UNIQUE INDEX `errand_jobs_key_idx` ON `errand_jobs` (`key`) WHERE key IS NOT NULL;",
      "\nCREATE INDEX `errand_jobs_claim_idx` ON `errand_jobs` (priority DESC,`run_at`,`id`) WHERE state IN ('scheduled', 'ready', 'failed');",
      "\nCREATE INDEX `errand_jobs_lease_idx` ON `errand_jobs` (`lease_expires_at`) WHERE state = 'running';",
    ],
  },
  {
    tag: "0001_trace_context",
    createdAt: 1796003518279,
    hash: "091a43c6daebe3f0027688a9a33c1c7908e5596df8be86c4b6dd588dc4dccd3f",
    statements: [
      "ALTER TABLE `errand_jobs` ADD `trace_context` text;",
    ],
  },
  {
    tag: "0002_perpetual_frog_thor",
    createdAt: 1796004797977,
    hash: "ce1596e8e4f991569439f18efcb2a4ae3e1f4def62d096fe2be010bbaab0ef43",
    statements: [
      "ALTER TABLE `errand_jobs` ADD `key_expires_at` integer;",
      "\nALTER TABLE `errand_jobs` ADD `result` text;",
      "\nALTER TABLE `errand_jobs` ADD `progress` text;",
    ],
  },
  {
    tag: "0003_workflows",
    createdAt: 1796006111810,
    hash: "3dd803db1d1b5d49f50a61c13aca230479cca79aa524cecd9b87ce4d7c9450e4",
    statements: [
      "CREATE TABLE `errand_event_waits` (\n\t`job_id` integer PRIMARY KEY NOT NULL,\n\t`event` text NOT NULL\n);\n",
      "\nCREATE INDEX `errand_event_waits_event_idx` ON `errand_event_waits` (`event`);",
      "\nCREATE TABLE `errand_events` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`name` text NOT NULL,\n\t`data` text NOT NULL,\n\t`sent_at` integer NOT NULL\n);\n",
      "\nCREATE INDEX `errand_events_name_idx` ON `errand_events` (`name`,`sent_at`);",
      "\nCREATE TABLE `errand_job_dependencies` (\n\t`waiter_id` integer NOT NULL,\n\t`dependency_id` integer NOT NULL,\n\t`kind` text NOT NULL,\n\t`on_failure` text NOT NULL,\n\t`settled` integer DEFAULT 0 NOT NULL,\n\tPRIMARY KEY(`waiter_id`, `dependency_id`)\n);\n",
      "\nCREATE INDEX `errand_job_dependencies_open_idx` ON `errand_job_dependencies` (`waiter_id`) WHERE settled = 0;",
      "\nCREATE TABLE `errand_workflow_steps` (\n\t`job_id` integer NOT NULL,\n\t`step_id` text NOT NULL,\n\t`seq` integer NOT NULL,\n\t`result` text,\n\t`done` integer NOT NULL,\n\tPRIMARY KEY(`job_id`, `step_id`)\n);\n",
    ],
  },
  {
    tag: "0004_pause_rate_limits",
    createdAt: 1796008413510,
    hash: "8851f32d16e6bb7e574fe4e2d9e27618eebb933b937f7385da3467abc8f215d1",
    statements: [
      "CREATE TABLE `errand_job_starts` (\n\t`name` text NOT NULL,\n\t`rate_key` text NOT NULL,\n\t`started_at` integer NOT NULL\n);\n",
      "\nCREATE INDEX `errand_job_starts_idx` ON `errand_job_starts` (`name`,`rate_key`,`started_at`);",
      "\nCREATE TABLE `errand_paused` (\n\t`kind` text NOT NULL,\n\t`value` text NOT NULL,\n\t`paused_at` integer NOT NULL,\n\tPRIMARY KEY(`kind`, `value`)\n);\n",
      "\nALTER TABLE `errand_jobs` ADD `group_key` text;",
      "\nALTER TABLE `errand_jobs` ADD `rate_key` text;",
    ],
  },
];
