// The jobs table on SQLite. Times are integer milliseconds since the epoch; payload and errors are
// JSON text. Every index costs a page write per commit (the dominant cost of a single enqueue), so
// there are only the ones the hot paths need, partial where they can be: a job without a key or not
// running is in neither the key nor the lease index. Counts and list scan; they are admin calls.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const jobsTable = sqliteTable(
  "errand_jobs",
  {
    // Never reused, so a handler may use the job id as the idempotency key of its side effects. Not
    // AUTOINCREMENT (one more page written per commit): enqueue assigns max(id, floor) + 1 itself,
    // and prune and discard raise the floor before they delete (see jobsIdFloorTable).
    id: integer("id").primaryKey(),
    name: text("name").notNull(),
    queue: text("queue").notNull(),
    payload: text("payload").notNull(),
    state: text("state", {
      enum: ["scheduled", "ready", "running", "succeeded", "failed", "dead", "cancelled"],
    }).notNull(),
    priority: integer("priority").notNull(),
    runAt: integer("run_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    key: text("key"),
    lockedBy: text("locked_by"),
    leaseExpiresAt: integer("lease_expires_at"),
    enqueuedAt: integer("enqueued_at").notNull(),
    finishedAt: integer("finished_at"),
    errors: text("errors").notNull().default("[]"),
    // When the key's dedupe window (keyTtlMs) closes; null: the key holds while the row exists.
    keyExpiresAt: integer("key_expires_at"),
    // JSON text: the handler's return value, and its last ctx.progress report.
    result: text("result"),
    progress: text("progress"),
    // The enqueuer's propagation headers as JSON (NewJob.traceContext), null when untraced: kept for
    // the job's life so every attempt, retries included, joins the enqueuing request's trace.
    traceContext: text("trace_context"),
    /** The job's groups under per-key concurrency and keyed rate limits (NewJob.groupKey, rateKey). */
    groupKey: text("group_key"),
    rateKey: text("rate_key"),
  },
  (t) => [
    uniqueIndex("errand_jobs_key_idx").on(t.key).where(sql`key IS NOT NULL`),
    // Only pending rows are in it, in claim order: the claim reads the first `limit` entries.
    index("errand_jobs_claim_idx")
      .on(sql`priority DESC`, t.runAt, t.id)
      .where(sql`state IN ('scheduled', 'ready', 'failed')`),
    index("errand_jobs_lease_idx").on(t.leaseExpiresAt).where(sql`state = 'running'`),
  ],
);

/**
 * The highest job id ever deleted (one row, id 1). Only prune and discard write it, so enqueue reads
 * it but never writes it: new ids stay above every id that ever existed.
 */
export const jobsIdFloorTable = sqliteTable("errand_jobs_id_floor", {
  id: integer("id").primaryKey(),
  floor: integer("floor").notNull(),
});

/**
 * Flow children and `after` dependencies: `waiter_id` runs once every `dependency_id` has ended.
 * `settled` is set when the waiter was released (or failed): the sweep reads only unsettled rows.
 */
export const jobDependenciesTable = sqliteTable(
  "errand_job_dependencies",
  {
    waiterId: integer("waiter_id").notNull(),
    dependencyId: integer("dependency_id").notNull(),
    kind: text("kind", { enum: ["child", "after"] }).notNull(),
    onFailure: text("on_failure", { enum: ["fail", "continue", "cancel"] }).notNull(),
    settled: integer("settled").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.waiterId, t.dependencyId] }),
    index("errand_job_dependencies_open_idx").on(t.waiterId).where(sql`settled = 0`),
  ],
);

/** A workflow's steps: each finished step's JSON result, replayed when the workflow runs again. */
export const workflowStepsTable = sqliteTable(
  "errand_workflow_steps",
  {
    jobId: integer("job_id").notNull(),
    stepId: text("step_id").notNull(),
    seq: integer("seq").notNull(),
    result: text("result"),
    done: integer("done").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.stepId] })],
);

/** Workflows parked on an event (one wait per job at a time). */
export const eventWaitsTable = sqliteTable(
  "errand_event_waits",
  {
    jobId: integer("job_id").primaryKey(),
    event: text("event").notNull(),
  },
  (t) => [index("errand_event_waits_event_idx").on(t.event)],
);

/** Events sent with jobs.sendEvent, kept until prune() drops those older than its retention. */
export const eventsTable = sqliteTable(
  "errand_events",
  {
    id: integer("id").primaryKey(),
    name: text("name").notNull(),
    data: text("data").notNull(),
    sentAt: integer("sent_at").notNull(),
  },
  (t) => [index("errand_events_name_idx").on(t.name, t.sentAt)],
);

/** The pauses in force (jobs.pause): kind 'name' or 'queue'. Every claim skips what is listed here. */
export const pausedTable = sqliteTable(
  "errand_paused",
  {
    kind: text("kind", { enum: ["name", "queue"] }).notNull(),
    value: text("value").notNull(),
    pausedAt: integer("paused_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] })],
);

/**
 * One row per start of a rate-limited job (rate_key '' when the limit is per name): what the claim
 * counts in the sliding window. Rows older than the window are deleted by the claims of that name.
 */
export const jobStartsTable = sqliteTable(
  "errand_job_starts",
  {
    name: text("name").notNull(),
    rateKey: text("rate_key").notNull(),
    startedAt: integer("started_at").notNull(),
  },
  (t) => [index("errand_job_starts_idx").on(t.name, t.rateKey, t.startedAt)],
);
