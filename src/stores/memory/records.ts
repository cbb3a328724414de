// The memory store's job record, and its mapping to the JobStore types. Payload and errors are kept as
// JSON, as the SQL stores keep them: what a caller reads back is a copy that no one else mutates, and a
// payload that does not survive JSON fails at enqueue here as it does there.
import type { ClaimedJob, JobAttemptError, JobRecord, JobState } from "../../jobs/store.ts";

export interface MemoryJob {
  readonly id: number;
  readonly name: string;
  readonly queue: string;
  payload: string;
  state: JobState;
  readonly priority: number;
  runAt: number;
  attempts: number;
  readonly maxAttempts: number;
  key: string | null;
  /** When the key's dedupe window closes (keyTtlMs); null: it holds while the job exists. */
  keyExpiresAt: number | null;
  lockedBy: string | null;
  leaseExpiresAt: number | null;
  readonly enqueuedAt: number;
  finishedAt: number | null;
  /** JSON texts of the failed attempts, oldest first. */
  readonly errors: string[];
  readonly traceContext: string | null;
  /** JSON text of the handler's result and of its last progress report; null when none. */
  result: string | null;
  progress: string | null;
  /** NewJob.groupKey and rateKey: the job's groups under per-key concurrency and keyed rate limits. */
  readonly groupKey: string | null;
  readonly rateKey: string | null;
  /**
   * Bumped whenever the job leaves the pending index or takes a new place in it: index entries made
   * under an older ticket are stale and skipped (deleting from the middle of a heap is not cheap).
   */
  ticket: number;
}

export const pendingStates: ReadonlySet<JobState> = new Set(["scheduled", "ready", "failed"]);

export function toJobRecord(job: MemoryJob): JobRecord {
  return {
    id: String(job.id),
    name: job.name,
    queue: job.queue,
    state: job.state,
    payload: JSON.parse(job.payload),
    priority: job.priority,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    key: job.key,
    enqueuedAt: job.enqueuedAt,
    runAt: job.runAt,
    lockedBy: job.lockedBy,
    leaseExpiresAt: job.leaseExpiresAt,
    finishedAt: job.finishedAt,
    errors: job.errors.map((error) => JSON.parse(error) as JobAttemptError),
    ...(job.result === null ? {} : { result: JSON.parse(job.result) }),
    ...(job.progress === null ? {} : { progress: JSON.parse(job.progress) }),
  };
}

export function toClaimedJob(job: MemoryJob): ClaimedJob {
  return {
    id: String(job.id),
    name: job.name,
    queue: job.queue,
    payload: JSON.parse(job.payload),
    priority: job.priority,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    enqueuedAt: job.enqueuedAt,
    runAt: job.runAt,
    leaseExpiresAt: job.leaseExpiresAt ?? 0,
    key: job.key,
    traceContext: job.traceContext,
  };
}
