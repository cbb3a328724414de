import type { CronStatus, JobCount, JobCounts, JobPage, JobRecord, ListOptions } from "errand";

/** What admin needs from the jobs service; the Jobs API (createJobs) satisfies it as it is. */
export interface AdminJobs {
  counts(): Promise<JobCounts>;
  list(options: Partial<ListOptions>): Promise<JobPage>;
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

/** The counts as rows, one per job name and state that has jobs: the admin API's and the dashboard's table. */
export function countRows(counts: JobCounts): JobCount[] {
  return Object.entries(counts.byName).flatMap(([name, byState]) =>
    Object.entries(byState)
      .filter(([, count]) => count > 0)
      .map(([state, count]) => ({ name, state: state as JobCount["state"], count })),
  );
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
