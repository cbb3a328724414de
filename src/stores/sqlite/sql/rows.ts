// Raw rows as bun:sqlite returns them, and their mapping to the JobStore types.
import type { ClaimedJob, JobAttemptError, JobRecord, JobState } from "../../../jobs/store.ts";
import { jobIdNumber } from "../../common.ts";

export interface JobRow {
  id: number;
  name: string;
  queue: string;
  payload: string;
  state: JobState;
  priority: number;
  run_at: number;
  attempts: number;
  max_attempts: number;
  key: string | null;
  locked_by: string | null;
  lease_expires_at: number | null;
  enqueued_at: number;
  finished_at: number | null;
  errors: string;
  key_expires_at: number | null;
  result: string | null;
  progress: string | null;
  trace_context: string | null;
}

export type ClaimedRow = Pick<
  JobRow,
  | "id"
  | "name"
  | "queue"
  | "payload"
  | "priority"
  | "attempts"
  | "max_attempts"
  | "enqueued_at"
  | "run_at"
  | "lease_expires_at"
  | "key"
  | "trace_context"
>;

export const claimedColumns =
  "id, name, queue, payload, priority, attempts, max_attempts, enqueued_at, run_at, lease_expires_at, key, trace_context";

export function toClaimedJob(row: ClaimedRow): ClaimedJob {
  return {
    id: String(row.id),
    name: row.name,
    queue: row.queue,
    payload: JSON.parse(row.payload),
    priority: row.priority,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    enqueuedAt: row.enqueued_at,
    runAt: row.run_at,
    leaseExpiresAt: row.lease_expires_at ?? 0,
    key: row.key,
    traceContext: row.trace_context,
  };
}

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: String(row.id),
    name: row.name,
    queue: row.queue,
    state: row.state,
    payload: JSON.parse(row.payload),
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    key: row.key,
    enqueuedAt: row.enqueued_at,
    runAt: row.run_at,
    lockedBy: row.locked_by,
    leaseExpiresAt: row.lease_expires_at,
    finishedAt: row.finished_at,
    errors: JSON.parse(row.errors) as JobAttemptError[],
    ...(row.result === null ? {} : { result: JSON.parse(row.result) }),
    ...(row.progress === null ? {} : { progress: JSON.parse(row.progress) }),
  };
}

/** The rowid a job id names, or null (matches no row) when it is not a job id. */
export function toRowId(id: string): number | null {
  return jobIdNumber(id);
}
