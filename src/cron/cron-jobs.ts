import type { AnyJobDefinition } from "../jobs/define-job.ts";
import type { JobRecord } from "../jobs/store.ts";

/**
 * The part of the jobs API the scheduler uses: enqueue under an idempotency key, and list one job
 * name's jobs newest first (to find the last tick and whether a run is still going). The real Jobs
 * service satisfies it; tests of the scheduler's logic may pass a small in-memory one.
 */
export interface CronJobs {
  /** Returns the id of the job with this key: a new one, or the existing one if the key exists. */
  enqueue(job: AnyJobDefinition, payload: unknown, options: { key: string; runAt: Date }): Promise<string>;
  list(options: { name: string; limit: number; cursor?: string }): Promise<CronJobPage>;
}

export interface CronJobPage {
  /** Newest first. */
  jobs: JobRecord[];
  nextCursor: string | null;
}
