import type { CronStatus } from "../../cron/index.ts";
import type { JobCount, JobPage, JobRecord, ListOptions } from "../../jobs/store.ts";

/** What admin needs from the jobs service: the Jobs API satisfies it (store-shaped reads, retry, discard). */
export interface AdminJobs {
  counts(): Promise<JobCount[]>;
  list(options: ListOptions): Promise<JobPage>;
  get(id: string): Promise<JobRecord | null>;
  retry(id: string): Promise<boolean>;
  discard(id: string): Promise<boolean>;
}

/** What admin needs from the cron service. */
export interface AdminCrons {
  list(): Promise<CronStatus[]>;
  /** Enqueues a manual run now; returns its job id. */
  trigger(name: string): Promise<string>;
}

/** Retries every dead job of one name, page by page; returns how many were retried. */
export async function retryAllDead(jobs: AdminJobs, name: string): Promise<number> {
  let retried = 0;
  const ids: string[] = [];
  let cursor: string | undefined;
  // Collect first: retrying while paging would move jobs out of the filter under the cursor.
  do {
    const page = await jobs.list({ state: "dead", name, limit: 500, ...(cursor ? { cursor } : {}) });
    ids.push(...page.jobs.map((job) => job.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const id of ids) if (await jobs.retry(id)) retried++;
  return retried;
}
