import type { JobRecord, JobState } from "../jobs/store.ts";
import type { CronDefinition } from "./define-cron.ts";
import { tickOfKey } from "./keys.ts";
import type { CronHistory } from "./run-history.ts";

/** A cron's latest run as recorded in the jobs table. */
export interface CronRunStatus {
  jobId: string;
  /** The tick the run was scheduled for; null for a manual run (trigger). */
  tick: Date | null;
  state: JobState;
  enqueuedAt: Date;
  finishedAt: Date | null;
  /** The last failed attempt's message, if any attempt failed. */
  lastError: string | null;
}

/** One line of `cron.list()`. */
export interface CronStatus {
  name: string;
  schedule: string;
  timezone: string | undefined;
  /** Whether this process schedules it now (the definition's `enabled`, then enable()/disable()). */
  enabled: boolean;
  /** The next tick after now; null when disabled or the expression never fires again. */
  nextRunAt: Date | null;
  lastRun: CronRunStatus | null;
}

export function describeCron(cron: CronDefinition, history: CronHistory, now: number, enabled: boolean): CronStatus {
  const next = enabled ? cron.schedule.next(now) : undefined;
  return {
    name: cron.name,
    schedule: cron.schedule.expression,
    timezone: cron.schedule.timezone,
    enabled,
    nextRunAt: next === undefined ? null : new Date(next),
    lastRun: history.latestRun ? describeRun(cron.name, history.latestRun) : null,
  };
}

export function describeRun(cronName: string, job: JobRecord): CronRunStatus {
  const tick = job.key === null ? undefined : tickOfKey(cronName, job.key);
  return {
    jobId: job.id,
    tick: tick === undefined ? null : new Date(tick),
    state: job.state,
    enqueuedAt: new Date(job.enqueuedAt),
    finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt),
    lastError: job.errors.at(-1)?.message ?? null,
  };
}
