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

/**
 * The newest job of the cron's job name is almost always the cron's own newest run, and it is read on
 * every tick, so the first page holds one job. A job definition may be shared with non-cron enqueues,
 * interleaving other jobs with the cron's runs; later pages are larger, and the scan stops after
 * `maxScanned` jobs rather than walk a huge table.
 */
const laterPageSize = 100;
const maxScanned = 1_000;

/**
 * Reads a cron's state from its jobs (keys `cron:<name>:...`), newest first, so nothing but the jobs
 * table has to survive a restart.
 */
export async function readHistory(jobs: CronJobs, cronName: string, jobName: string): Promise<CronHistory> {
  const prefix = runKeyPrefix(cronName);
  const history: CronHistory = { latestRun: undefined, latestTick: undefined };
  let cursor: string | undefined;
  for (let scanned = 0; scanned < maxScanned; ) {
    const limit = scanned === 0 ? 1 : laterPageSize;
    const result = await jobs.list({ name: jobName, limit, ...(cursor === undefined ? {} : { cursor }) });
    scanned += limit;
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

/** The cron's newest runs (ticks and manual ones), newest first, at most `limit`, within the same scan bound. */
export async function readRuns(jobs: CronJobs, cronName: string, jobName: string, limit: number): Promise<JobRecord[]> {
  const prefix = runKeyPrefix(cronName);
  const runs: JobRecord[] = [];
  let cursor: string | undefined;
  for (let scanned = 0; scanned < maxScanned && runs.length < limit; ) {
    const result = await jobs.list({
      name: jobName,
      limit: laterPageSize,
      ...(cursor === undefined ? {} : { cursor }),
    });
    scanned += laterPageSize;
    for (const job of result.jobs) if (job.key?.startsWith(prefix) && runs.length < limit) runs.push(job);
    if (result.nextCursor === null) break;
    cursor = result.nextCursor;
  }
  return runs;
}
