import type { JobRecord, JobState } from "../jobs/store.ts";
import type { CronJobs } from "./cron-jobs.ts";
import { runKeyPrefix, tickOfKey } from "./keys.ts";

/** What the jobs table says about one cron: its newest run (tick or manual) and newest tick. */
export interface CronHistory {
  latestRun: JobRecord | undefined;
  latestTick: number | undefined;
}

/** A run in one of these states is not over: it is queued, running, or failed with a retry pending. */
const unfinished: ReadonlySet<JobState> = new Set(["scheduled", "ready", "running", "failed"]);

export function isUnfinished(run: JobRecord): boolean {
  return unfinished.has(run.state);
}

/** Small pages: a cron's newest run is almost always the newest job of its name, read on every tick. */
const pageSize = 10;
/**
 * A job definition may be shared with non-cron enqueues, so a cron's runs can be interleaved with
 * other jobs of the same name; the scan stops after 1,000 jobs rather than walk a huge table.
 */
const maxPages = 100;

/**
 * Reads a cron's state from its jobs (keys `cron:<name>:...`), newest first, so nothing but the jobs
 * table has to survive a restart.
 */
export async function readHistory(jobs: CronJobs, cronName: string, jobName: string): Promise<CronHistory> {
  const prefix = runKeyPrefix(cronName);
  const history: CronHistory = { latestRun: undefined, latestTick: undefined };
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await jobs.list({ name: jobName, limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
    for (const job of result.jobs) {
      if (job.key === null || !job.key.startsWith(prefix)) continue;
      history.latestRun ??= job;
      history.latestTick = tickOfKey(cronName, job.key);
      if (history.latestTick !== undefined) return history;
    }
    if (result.nextCursor === null) return history;
    cursor = result.nextCursor;
  }
  return history;
}
