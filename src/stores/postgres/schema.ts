import { type BuildExtraConfigColumns, sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { JobAttemptError } from "../../jobs/store.ts";

/**
 * The jobs table. drizzle-kit generates the migrations from `jobs` below, a table without a schema,
 * so the generated SQL names no schema; the store applies it with `search_path` set to the schema
 * chosen at runtime (see migrate.ts). Times are epoch milliseconds from the core's Clock, never the
 * database clock, so one clock drives schedules, leases and backoff on every store.
 */
function columns() {
  return {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    name: text("name").notNull(),
    queue: text("queue").notNull(),
    state: text("state").notNull(),
    payload: jsonb("payload").notNull(),
    priority: integer("priority").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    key: text("key"),
    runAt: bigint("run_at", { mode: "number" }).notNull(),
    enqueuedAt: bigint("enqueued_at", { mode: "number" }).notNull(),
    lockedBy: text("locked_by"),
    leaseExpiresAt: bigint("lease_expires_at", { mode: "number" }),
    finishedAt: bigint("finished_at", { mode: "number" }),
    /** Every failed attempt, oldest first: the last element is the last error. */
    errors: jsonb("errors").$type<JobAttemptError[]>().notNull().default(sql`'[]'::jsonb`),
    /** The job's groups under per-key concurrency and keyed rate limits (NewJob.groupKey, rateKey). */
    groupKey: text("group_key"),
    rateKey: text("rate_key"),
  };
}

function constraints(t: BuildExtraConfigColumns<"jobs", ReturnType<typeof columns>, "pg">) {
  return [
    check("jobs_state_check", sql`${t.state} in ('scheduled', 'ready', 'running', 'succeeded', 'failed', 'dead')`),
    // The claim reads one name at a time in claim order; only claimable rows are indexed.
    index("jobs_claim_idx")
      .on(t.name, t.priority.desc(), t.runAt, t.id)
      .where(sql`${t.state} in ('scheduled', 'ready', 'failed')`),
    // The key holds while the job exists, succeeded included, until pruning deletes it.
    uniqueIndex("jobs_key_idx").on(t.key).where(sql`${t.key} is not null`),
    // Recovery scans expired leases; per-name limits count running jobs.
    index("jobs_running_idx").on(t.leaseExpiresAt).where(sql`${t.state} = 'running'`),
    // Pruning deletes finished jobs by age.
    index("jobs_finished_idx").on(t.finishedAt).where(sql`${t.state} in ('succeeded', 'dead')`),
  ];
}

/** The table as drizzle-kit sees it (no schema): the source of drizzle/postgres migrations. */
export const jobs = pgTable("jobs", columns(), constraints);

/** The same table in the schema chosen at runtime. */
export function jobsTable(schema: string) {
  return schema === "public" ? jobs : pgSchema(schema).table("jobs", columns(), constraints);
}

/** The pauses in force (jobs.pause): kind 'name' or 'queue'. Every claim skips what is listed here. */
export const paused = pgTable(
  "paused",
  {
    kind: text("kind").notNull(),
    value: text("value").notNull(),
    pausedAt: bigint("paused_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] }), check("paused_kind_check", sql`${t.kind} in ('name', 'queue')`)],
);

/**
 * One row per start of a rate-limited job (rate_key '' when the limit is per name): what the claim
 * counts in the sliding window. Rows older than the window are deleted by the claims of that name.
 */
export const jobStarts = pgTable(
  "job_starts",
  {
    name: text("name").notNull(),
    rateKey: text("rate_key").notNull(),
    startedAt: bigint("started_at", { mode: "number" }).notNull(),
  },
  (t) => [index("job_starts_idx").on(t.name, t.rateKey, t.startedAt)],
);
