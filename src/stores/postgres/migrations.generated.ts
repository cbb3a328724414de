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
    tag: "0001_trace_context",
    createdAt: 1796003518643,
    hash: "706d3a385c3b25abfba6cae177fb6d00355e56d2facdbf379d2a0189a41a4995",
    statements: [
      "ALTER TABLE \"jobs\" ADD COLUMN \"trace_context\" text;",
    ],
  },
  {
    tag: "0002_jazzy_randall",
    createdAt: 1796004798526,
    hash: "b084e0331ad8a2b5634336e5b9558b10b6ff8cb3694fa2746649df66b8c323ea",
    statements: [
      "ALTER TABLE \"jobs\" DROP CONSTRAINT \"jobs_state_check\";",
      "\nDROP INDEX \"jobs_finished_idx\";",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"key_expires_at\" bigint;",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"result\" jsonb;",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"progress\" jsonb;",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"notify_done\" boolean DEFAULT false NOT NULL;",
      "\nCREATE INDEX \"jobs_finished_idx\" ON \"jobs\" USING btree (\"finished_at\") WHERE \"jobs\".\"state\" in ('succeeded', 'dead', 'cancelled');",
      "\nALTER TABLE \"jobs\" ADD CONSTRAINT \"jobs_state_check\" CHECK (\"jobs\".\"state\" in ('scheduled', 'ready', 'running', 'succeeded', 'failed', 'dead', 'cancelled'));",
    ],
  },
  {
    tag: "0003_workflows",
    createdAt: 1796006112408,
    hash: "105055037dc4512af906958e53da34bbb166d48943a17f9309d7f9df6897cdd8",
    statements: [
      "CREATE TABLE \"event_waits\" (\n\t\"job_id\" bigint PRIMARY KEY NOT NULL,\n\t\"event\" text NOT NULL\n);\n",
      "\nCREATE TABLE \"events\" (\n\t\"id\" bigserial PRIMARY KEY NOT NULL,\n\t\"name\" text NOT NULL,\n\t\"data\" jsonb NOT NULL,\n\t\"sent_at\" bigint NOT NULL\n);\n",
      "\nCREATE TABLE \"job_dependencies\" (\n\t\"waiter_id\" bigint NOT NULL,\n\t\"dependency_id\" bigint NOT NULL,\n\t\"kind\" text NOT NULL,\n\t\"on_failure\" text NOT NULL,\n\t\"settled\" integer DEFAULT 0 NOT NULL,\n\tCONSTRAINT \"job_dependencies_waiter_id_dependency_id_pk\" PRIMARY KEY(\"waiter_id\",\"dependency_id\")\n);\n",
      "\nCREATE TABLE \"workflow_steps\" (\n\t\"job_id\" bigint NOT NULL,\n\t\"step_id\" text NOT NULL,\n\t\"seq\" integer NOT NULL,\n\t\"result\" jsonb,\n\t\"done\" integer NOT NULL,\n\tCONSTRAINT \"workflow_steps_job_id_step_id_pk\" PRIMARY KEY(\"job_id\",\"step_id\")\n);\n",
      "\nCREATE INDEX \"event_waits_event_idx\" ON \"event_waits\" USING btree (\"event\");",
      "\nCREATE INDEX \"events_name_idx\" ON \"events\" USING btree (\"name\",\"sent_at\");",
      "\nCREATE INDEX \"job_dependencies_open_idx\" ON \"job_dependencies\" USING btree (\"waiter_id\") WHERE \"job_dependencies\".\"settled\" = 0;",
    ],
  },
  {
    tag: "0004_pause_rate_limits",
    createdAt: 1796008414042,
    hash: "9d8b74d385129170c77b8ee7549973430c5199d4c2884abb74525c49ad08da4f",
    statements: [
      "CREATE TABLE \"job_starts\" (\n\t\"name\" text NOT NULL,\n\t\"rate_key\" text NOT NULL,\n\t\"started_at\" bigint NOT NULL\n);\n",
      "\nCREATE TABLE \"paused\" (\n\t\"kind\" text NOT NULL,\n\t\"value\" text NOT NULL,\n\t\"paused_at\" bigint NOT NULL,\n\tCONSTRAINT \"paused_kind_value_pk\" PRIMARY KEY(\"kind\",\"value\"),\n\tCONSTRAINT \"paused_kind_check\" CHECK (\"paused\".\"kind\" in ('name', 'queue'))\n);\n",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"group_key\" text;",
      "\nALTER TABLE \"jobs\" ADD COLUMN \"rate_key\" text;",
      "\nCREATE INDEX \"job_starts_idx\" ON \"job_starts\" USING btree (\"name\",\"rate_key\",\"started_at\");",
    ],
  },
  {
    tag: "0005_user_json",
    createdAt: 1796008921084,
    hash: "4b5827b03ec3b25bb660be2c16bb58e87dec6bc7d25a0701b7e6cceb3d4950a0",
    statements: [
      "ALTER TABLE \"events\" ALTER COLUMN \"data\" SET DATA TYPE json;",
      "\nALTER TABLE \"jobs\" ALTER COLUMN \"payload\" SET DATA TYPE json;",
      "\nALTER TABLE \"jobs\" ALTER COLUMN \"result\" SET DATA TYPE json;",
      "\nALTER TABLE \"jobs\" ALTER COLUMN \"progress\" SET DATA TYPE json;",
      "\nALTER TABLE \"workflow_steps\" ALTER COLUMN \"result\" SET DATA TYPE json;",
    ],
  },
];
