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
    tag: "0001_milky_slipstream",
    createdAt: 1796003730353,
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
