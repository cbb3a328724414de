import { Cron } from "croner";
import { InvalidCronScheduleError, InvalidCronTimezoneError } from "./errors.ts";

/** A parsed cron expression in its timezone: computes tick times (epoch ms, UTC instants). */
export interface Schedule {
  readonly expression: string;
  readonly timezone: string | undefined;
  /** The first tick strictly after `time`, or undefined if the expression never fires again. */
  next(time: number): number | undefined;
  /** Up to `limit` of the latest ticks in (after, until], oldest first. */
  latestBetween(after: number, until: number, limit: number): number[];
}

/** Parses `expression` with croner; throws a typed error naming the cron when it or the timezone is invalid. */
export function parseSchedule(cronName: string, expression: string, timezone?: string): Schedule {
  if (timezone !== undefined) assertTimezone(cronName, timezone);
  let cron: Cron;
  try {
    // paused: croner is used only to compute times; Errand's scheduler owns the timers.
    cron = new Cron(expression, { timezone, paused: true });
  } catch (error) {
    throw new InvalidCronScheduleError(cronName, expression, error);
  }
  // The scheduler asks for the tick after the same time several times per pass (to sleep, then to
  // collect due ticks); croner's nextRun is the scheduler's main CPU cost, so the last answer is kept.
  let memo: { from: number; tick: number | undefined } | undefined;
  const next = (time: number) => {
    if (memo?.from !== time) memo = { from: time, tick: cron.nextRun(new Date(time))?.getTime() };
    return memo.tick;
  };
  // previousRuns excludes its reference, so until + 1 makes a tick at exactly `until` count.
  const latestByWalkingBack = (after: number, until: number, limit: number) =>
    cron
      .previousRuns(limit, new Date(until + 1))
      .map((date) => date.getTime())
      .filter((tick) => tick > after)
      .reverse();
  return {
    expression,
    timezone,
    next,
    latestBetween(after, until, limit) {
      // Usually one tick is due: stepping forward costs a few nextRun calls, several times cheaper
      // than croner's previousRuns. Only when more are due than wanted (after downtime) walk back.
      const ticks: number[] = [];
      for (let tick = next(after); tick !== undefined && tick <= until; tick = next(tick)) {
        if (ticks.length === limit) return latestByWalkingBack(after, until, limit);
        ticks.push(tick);
      }
      return ticks;
    },
  };
}

function assertTimezone(cronName: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new InvalidCronTimezoneError(cronName, timezone);
  }
}
