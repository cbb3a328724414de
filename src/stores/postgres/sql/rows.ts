// Rows as the store reads them (connections.ts parses types), and their mapping to the JobStore types.
import type { ClaimedJob, JobAttemptError, JobRecord, JobState } from "../../../jobs/store.ts";

/** A jobs row as the store reads it: bigint columns arrive as strings, json and jsonb parsed. */
export interface JobRow {
  id: string;
  name: string;
  queue: string;
  state: JobState;
  payload: unknown;
  priority: number;
  attempts: number;
  max_attempts: number;
  key: string | null;
  run_at: string;
  enqueued_at: string;
  locked_by: string | null;
  lease_expires_at: string | null;
  finished_at: string | null;
  errors: JobAttemptError[];
  key_expires_at?: string | null;
  /**
   * The result as JSON text, selected as `result::text as result_json` where records are read: the
   * parsed json column cannot tell a stored JSON null (a handler returned null) from no result.
   */
  result_json?: string | null;
  progress?: unknown;
  trace_context: string | null;
}

const optionalNumber = (value: string | null) => (value === null ? null : Number(value));

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    name: row.name,
    queue: row.queue,
    state: row.state,
    payload: row.payload,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    key: row.key,
    enqueuedAt: Number(row.enqueued_at),
    runAt: Number(row.run_at),
    lockedBy: row.locked_by,
    leaseExpiresAt: optionalNumber(row.lease_expires_at),
    finishedAt: optionalNumber(row.finished_at),
    errors: row.errors,
    ...(row.result_json === null || row.result_json === undefined ? {} : { result: JSON.parse(row.result_json) }),
    ...(row.progress === null || row.progress === undefined ? {} : { progress: row.progress }),
  };
}

export function toClaimedJob(row: JobRow): ClaimedJob {
  return {
    id: row.id,
    name: row.name,
    queue: row.queue,
    payload: row.payload,
    priority: row.priority,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    enqueuedAt: Number(row.enqueued_at),
    runAt: Number(row.run_at),
    leaseExpiresAt: Number(row.lease_expires_at),
    key: row.key,
    traceContext: row.trace_context,
  };
}
