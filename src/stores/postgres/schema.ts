import { type BuildExtraConfigColumns, sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  json,
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
    /**
     * User JSON (payload, result, progress; step results and event data below) is `json`, not jsonb:
     * kept as the text written, so objects read back with their keys in the order the app gave them,
     * as on the other stores (jsonb sorts keys). The store never queries inside these values.
     */
    payload: json("payload").notNull(),
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
    /** When the key's dedupe window (keyTtlMs) closes; null: the key holds while the row exists. */
    keyExpiresAt: bigint("key_expires_at", { mode: "number" }),
    /** The handler's return value, and its last ctx.progress report. */
    result: json("result"),
    progress: json("progress"),
    /** Someone waits for this job (jobs.waitFor): its end is announced on the done channel. */
    notifyDone: boolean("notify_done").notNull().default(false),
    /**
     * The enqueuer's propagation headers as JSON text (NewJob.traceContext), null when untraced: kept
     * for the job's life so every attempt, retries included, joins the enqueuing request's trace.
     * Text, not jsonb: the store hands it back byte for byte and never queries inside it.
     */
    traceContext: text("trace_context"),
    /** The job's groups under per-key concurrency and keyed rate limits (NewJob.groupKey, rateKey). */
    groupKey: text("group_key"),
    rateKey: text("rate_key"),
  };
}

function constraints(t: BuildExtraConfigColumns<"jobs", ReturnType<typeof columns>, "pg">) {
  return [
    check(
      "jobs_state_check",
      sql`${t.state} in ('scheduled', 'ready', 'running', 'succeeded', 'failed', 'dead', 'cancelled')`,
    ),
    // The claim reads one name at a time in claim order; only claimable rows are indexed.
    index("jobs_claim_idx")
      .on(t.name, t.priority.desc(), t.runAt, t.id)
      .where(sql`${t.state} in ('scheduled', 'ready', 'failed')`),
    // The key holds while the job exists, succeeded included, until pruning deletes it.
    uniqueIndex("jobs_key_idx").on(t.key).where(sql`${t.key} is not null`),
    // Recovery scans expired leases; per-name limits count running jobs.
    index("jobs_running_idx").on(t.leaseExpiresAt).where(sql`${t.state} = 'running'`),
    // Pruning deletes finished jobs by age.
    index("jobs_finished_idx").on(t.finishedAt).where(sql`${t.state} in ('succeeded', 'dead', 'cancelled')`),
  ];
}

/** The table as drizzle-kit sees it (no schema): the source of drizzle/postgres migrations. */
export const jobs = pgTable("jobs", columns(), constraints);

/** The same table in the schema chosen at runtime. */
export function jobsTable(schema: string) {
  return schema === "public" ? jobs : pgSchema(schema).table("jobs", columns(), constraints);
}

/** Flow children and `after` dependencies: `waiter_id` runs once every `dependency_id` has ended. */
function dependencyColumns() {
  return {
    waiterId: bigint("waiter_id", { mode: "number" }).notNull(),
    dependencyId: bigint("dependency_id", { mode: "number" }).notNull(),
    kind: text("kind").notNull(),
    onFailure: text("on_failure").notNull(),
    /** Set once the waiter was released (or failed): the sweep reads only unsettled rows. */
    settled: integer("settled").notNull().default(0),
  };
}

function dependencyConstraints(
  t: BuildExtraConfigColumns<"job_dependencies", ReturnType<typeof dependencyColumns>, "pg">,
) {
  return [
    primaryKey({ columns: [t.waiterId, t.dependencyId] }),
    index("job_dependencies_open_idx").on(t.waiterId).where(sql`${t.settled} = 0`),
  ];
}

/** A workflow's steps: each finished step's JSON result, replayed when the workflow runs again. */
function stepColumns() {
  return {
    jobId: bigint("job_id", { mode: "number" }).notNull(),
    stepId: text("step_id").notNull(),
    seq: integer("seq").notNull(),
    result: json("result"),
    done: integer("done").notNull(),
  };
}

function stepConstraints(t: BuildExtraConfigColumns<"workflow_steps", ReturnType<typeof stepColumns>, "pg">) {
  return [primaryKey({ columns: [t.jobId, t.stepId] })];
}

/** Workflows parked on an event (one wait per job at a time). */
function waitColumns() {
  return { jobId: bigint("job_id", { mode: "number" }).primaryKey(), event: text("event").notNull() };
}

function waitConstraints(t: BuildExtraConfigColumns<"event_waits", ReturnType<typeof waitColumns>, "pg">) {
  return [index("event_waits_event_idx").on(t.event)];
}

/** Events sent with jobs.sendEvent, kept until prune() drops those older than its retention. */
function eventColumns() {
  return {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    name: text("name").notNull(),
    data: json("data").notNull(),
    sentAt: bigint("sent_at", { mode: "number" }).notNull(),
  };
}

function eventConstraints(t: BuildExtraConfigColumns<"events", ReturnType<typeof eventColumns>, "pg">) {
  return [index("events_name_idx").on(t.name, t.sentAt)];
}

export const jobDependencies = pgTable("job_dependencies", dependencyColumns(), dependencyConstraints);
export const workflowSteps = pgTable("workflow_steps", stepColumns(), stepConstraints);
export const eventWaits = pgTable("event_waits", waitColumns(), waitConstraints);
export const events = pgTable("events", eventColumns(), eventConstraints);

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
