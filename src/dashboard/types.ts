import type { CronRunStatus, CronStatus } from "../cron/index.ts";
import type { JobPage, JobRecord, JobStatsView, ListOptions, StoredStep } from "../jobs/index.ts";

/** A name or a queue, as jobs.pause and jobs.resume take it. */
export type DashboardPauseTarget = { name: string; queue?: never } | { queue: string; name?: never };

/**
 * What the dashboard uses of the jobs service: `createJobs(...)` satisfies it, on every store. The
 * control members are optional: the pages offer pause, resume and cancel where the service has them
 * (and its store supports them).
 */
export interface DashboardJobs {
  list(options?: Partial<ListOptions>): Promise<JobPage>;
  get(id: string): Promise<JobRecord | null>;
  retry(id: string): Promise<boolean>;
  discard(id: string): Promise<boolean>;
  runNow(id: string): Promise<boolean>;
  stats(options?: { windowMs?: number; bucketMs?: number }): Promise<JobStatsView>;
  pause?(target: DashboardPauseTarget): Promise<boolean>;
  resume?(target: DashboardPauseTarget): Promise<boolean>;
  paused?(): Promise<readonly (DashboardPauseTarget & { pausedAt: number })[]>;
  cancel?(id: string): Promise<boolean>;
  /** A workflow's steps and a flow parent's children, shown on the job page when present. */
  steps?(id: string): Promise<StoredStep[]>;
  children?(id: string): Promise<JobRecord[]>;
}

/** What the dashboard uses of the cron service: `createCron(...)` (or the cron plugin's `cron`) satisfies it. */
export interface DashboardCron {
  list(): Promise<CronStatus[]>;
  runs(cronName: string, options?: { limit?: number }): Promise<CronRunStatus[]>;
  trigger(cronName: string): Promise<string>;
  enable(cronName: string): void;
  disable(cronName: string): void;
}
