// Generated from drizzle/postgres by scripts/embed-migrations.ts (bun run migrations:generate). Do not edit.
import type { EmbeddedMigration } from "../common.ts";

export const migrations: readonly EmbeddedMigration[] = [
  {
    tag: "0000_jobs",
    createdAt: 1795685115922,
    hash: "a0040e08a4de8b8151e6e2be8499bc63019a06543e148271c79c9e8e4568d89d",
    statements: [
      "CREATE TABLE \"jobs\" (\n\t\"id\" bigserial PRIMARY KEY NOT NULL,\n\t\"name\" text NOT NULL,\n\t\"queue\" text NOT NULL,\n\t\"state\" text NOT NULL,\n\t\"payload\" jsonb NOT NULL,\n\t\"priority\" integer DEFAULT 0 NOT NULL,\n\t\"attempts\" integer DEFAULT 0 NOT NULL,\n\t\"max_attempts\" integer NOT NULL,\n\t\"key\" text,\n\t\"run_at\" bigint NOT NULL,\n\t\"enqueued_at\" bigint NOT NULL,\n\t\"locked_by\" text,\n\t\"lease_expires_at\" bigint,\n\t\"finished_at\" bigint,\n\t\"errors\" jsonb DEFAULT '[]'::jsonb NOT NULL,\n\tCONSTRAINT \"jobs_state_check\" CHECK (\"jobs\".\"state\" in ('scheduled', 'ready', 'running', 'succeeded', 'failed', 'dead'))\n);\n",
      "\nCREATE INDEX \"jobs_claim_idx\" ON \"jobs\" USING btree (\"name\",\"priority\" DESC NULLS LAST,\"run_at\",\"id\") WHERE \"jobs\".\"state\" in ('scheduled', 'ready', 'failed');",
      "\nCREATE UNIQUE INDEX \"jobs_key_idx\" ON \"jobs\" USING btree (\"key\") WHERE \"jobs\".\"key\" is not null;",
      "\nCREATE INDEX \"jobs_running_idx\" ON \"jobs\" USING btree (\"lease_expires_at\") WHERE \"jobs\".\"state\" = 'running';",
      "\nCREATE INDEX \"jobs_finished_idx\" ON \"jobs\" USING btree (\"finished_at\") WHERE \"jobs\".\"state\" in ('succeeded', 'dead');",
    ],
  },
  {
    tag: "0001_careless_texas_twister",
    createdAt: 1796003730732,
    hash: "9d8b74d385129170c77b8ee7549973430c5199d4c2884abb74525c49ad08da4f",
    statements: [
      "CREATE TABLE \"job_starts\" (\n\t\"name\" text NOT NULL,\n\t\"rate_key\" text NOT NULL,\n\t\"started_at\" bigint NOT NULL\n);\n",
      "\nCREATE TABLE \"paused\" (\n\t\"kind\" text NOT NULL,\n\t\"value\" text NOT NULL,\n\t\"paused_at\" bigint NOT NULL,\n\tCONSTRAINT \"paused_kind_value_pk\" PRIMARY KEY(\"kind\",\"value\"),\n\tCONSTRAINT \"paused_kind_check\" CHECK (\"paused\".\"kind\" in ('name', 'queue'))\n);\n",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"group_key\" text;",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"rate_key\" text;",
      "\nCREATE INDEX \"job_starts_idx\" ON \"job_starts\" USING btree (\"name\",\"rate_key\",\"started_at\");",
    ],
  },
];
