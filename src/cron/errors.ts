import { describe } from "../hosting/errors.ts";

/** Base class of every error the cron module throws, so callers can catch them as one family. */
export class CronError extends Error {
  override name = "CronError";
}

/** A cron's schedule is not a cron expression croner can parse. */
export class InvalidCronScheduleError extends CronError {
  override name = "InvalidCronScheduleError";
  constructor(
    readonly cronName: string,
    readonly schedule: string,
    cause: unknown,
  ) {
    super(
      `Cron "${cronName}": invalid schedule ${JSON.stringify(schedule)}: ${describe(cause)}. ` +
        `Use five fields (minute hour day month weekday, e.g. "0 * * * *"), six with seconds first, or a nickname such as "@hourly".`,
      { cause },
    );
  }
}

/** A cron's timezone is not an IANA timezone name this runtime knows. */
export class InvalidCronTimezoneError extends CronError {
  override name = "InvalidCronTimezoneError";
  constructor(
    readonly cronName: string,
    readonly timezone: string,
  ) {
    super(
      `Cron "${cronName}": unknown timezone ${JSON.stringify(timezone)}. Use an IANA name such as "Europe/Berlin" or "UTC".`,
    );
  }
}

/** A cron definition has an invalid option (name, missed policy, handler and job both or neither given). */
export class InvalidCronDefinitionError extends CronError {
  override name = "InvalidCronDefinitionError";
}

/** Two crons given to createCron share a name; the name is part of every tick's idempotency key. */
export class DuplicateCronError extends CronError {
  override name = "DuplicateCronError";
  constructor(readonly cronName: string) {
    super(`Two crons are named "${cronName}". Cron names must be unique: they are part of each tick's job key.`);
  }
}

/** trigger() or another lookup named a cron that was not given to createCron. */
export class UnknownCronError extends CronError {
  override name = "UnknownCronError";
  constructor(
    readonly cronName: string,
    known: readonly string[],
  ) {
    super(`No cron named "${cronName}". Known crons: ${known.length ? known.join(", ") : "(none)"}.`);
  }
}
