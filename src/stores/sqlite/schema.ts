// The jobs table on SQLite. Times are integer milliseconds since the epoch; payload and errors are
// JSON text. Each index serves one query: claim, lease recovery, and counts/list by state and name.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const jobsTable = sqliteTable(
  "errand_jobs",
  {
    // AUTOINCREMENT: ids are never reused after pruning, so a handler may use the job id as its
    // idempotency key for the job's whole life.
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    queue: text("queue").notNull(),
    payload: text("payload").notNull(),
    state: text("state", { enum: ["scheduled", "ready", "running", "succeeded", "failed", "dead"] }).notNull(),
    priority: integer("priority").notNull(),
    runAt: integer("run_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    key: text("key").unique("errand_jobs_key_unique"),
    lockedBy: text("locked_by"),
    leaseExpiresAt: integer("lease_expires_at"),
    enqueuedAt: integer("enqueued_at").notNull(),
    finishedAt: integer("finished_at"),
    errors: text("errors").notNull().default("[]"),
  },
  (t) => [
    // Only pending rows are in it, in claim order: the claim reads the first `limit` entries.
    index("errand_jobs_claim_idx")
      .on(sql`priority DESC`, t.runAt, t.id)
      .where(sql`state IN ('scheduled', 'ready', 'failed')`),
    index("errand_jobs_lease_idx").on(t.leaseExpiresAt).where(sql`state = 'running'`),
    index("errand_jobs_state_name_idx").on(t.state, t.name),
  ],
);
