export { type Backoff, defaultBackoff, type ExponentialBackoffOptions, exponentialBackoff } from "./backoff.ts";
export type { JobContext } from "./context.ts";
export {
  type AnyJobDefinition,
  type ConcurrencyByKey,
  defineJob,
  type JobDefinition,
  type JobSpec,
  type ParsedPayload,
  type RateLimit,
} from "./define-job.ts";
export {
  InvalidEnqueueOptionsError,
  InvalidJobDefinitionError,
  InvalidPauseTargetError,
  InvalidPayloadError,
  JobsError,
  JobsShutdownError,
  JobTimeoutError,
  LeaseLostError,
  NonRetryableError,
  type PayloadIssue,
  SyncEnqueueUnsupportedError,
  UnknownJobError,
} from "./errors.ts";
export {
  JobEvent,
  type JobEventDetails,
  type JobEventListener,
  JobEvents,
  type JobEventType,
  type JobRef,
  jobEventTypes,
} from "./events.ts";
export {
  createJobs,
  type EnqueueInTx,
  type EnqueueItem,
  type JobCounts,
  type JobStatsView,
  Jobs,
  type JobsOptions,
} from "./jobs.ts";
export type { EnqueueJobOptions } from "./new-job.ts";
export * from "./store.ts";
export { type JobsTracingOptions, tracerName } from "./tracing.ts";
