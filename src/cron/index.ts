export type { CronJobPage, CronJobs } from "./cron-jobs.ts";
export { CronService, type CronServiceOptions, createCron } from "./cron-service.ts";
export type { CronRunStatus, CronStatus } from "./cron-status.ts";
export {
  type CronDefinition,
  type CronRunContext,
  type CronScheduleOptions,
  defineCron,
  type HandlerCronOptions,
  type JobCronOptions,
} from "./define-cron.ts";
export {
  CronError,
  DuplicateCronError,
  InvalidCronDefinitionError,
  InvalidCronScheduleError,
  InvalidCronTimezoneError,
  UnknownCronError,
} from "./errors.ts";
export {
  CronEvent,
  type CronEventDetails,
  type CronEventListener,
  CronEvents,
  type CronEventType,
} from "./events.ts";
export { cronOfKey } from "./keys.ts";
export type { MissedPolicy } from "./missed.ts";
export type { Schedule } from "./schedule.ts";
