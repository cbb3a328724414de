import type { Logger } from "../hosting/index.ts";
import type { Scope } from "../scope/index.ts";
import type { JobRecord } from "./store.ts";

/** What a handler receives next to its payload. */
export interface JobContext {
  /** A fresh scope for this attempt, disposed when the handler returns or throws. */
  scope: Scope;
  /**
   * Aborted on timeout, on shutdown, when the lease was lost, or when the job was cancelled (reason:
   * JobCancelledError); pass it to fetch, database calls, sleeps.
   */
  signal: AbortSignal;
  /** 1 on the first run. */
  attempt: number;
  /** The job id is stable across attempts: use it as the idempotency key of the handler's side effects. */
  job: { id: string; name: string; enqueuedAt: Date };
  /** Bound to the job id, name and attempt. */
  logger: Logger;
  /**
   * A flow parent's children (jobs.enqueueFlow), in id order, as stored: their state, and their
   * result once they succeeded. Empty for a job that is no flow parent.
   */
  children(): Promise<JobRecord[]>;
  /**
   * Reports progress (a number such as a percentage, or any JSON): stored as the job's `progress`
   * (writes are throttled: the latest value within a short interval wins) and dispatched as a
   * `progress` event. Resolves once the value is handed over; a store error is logged, not thrown.
   */
  progress(value: unknown): Promise<void>;
}
