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
    state: text("state", { enum: ["scheduled", "ready", "running", "succeeded", "failed", "dead"] }).notNull(),
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
