// The jobs table on SQLite. Times are integer milliseconds since the epoch; payload and errors are
// JSON text. Every index costs a page write per commit (the dominant cost of a single enqueue), so
// there are only the ones the hot paths need, partial where they can be: a job without a key or not
// running is in neither the key nor the lease index. Counts and list scan; they are admin calls.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
