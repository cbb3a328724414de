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
  type ResultOf,
} from "./define-job.ts";
export {
  InvalidEnqueueOptionsError,
  InvalidJobDefinitionError,
  InvalidPauseTargetError,
  InvalidPayloadError,
  InvalidWaitForOptionsError,
  JobCancelledError,
  JobResultError,
  JobsError,
  JobsShutdownError,
  JobTimeoutError,
  LeaseLostError,
  NonRetryableError,
  type PayloadIssue,
  StoreClosedError,
  SyncEnqueueUnsupportedError,
  TracingUnavailableError,
  UnknownJobError,
  UnknownJobIdError,
  WaitForTimeoutError,
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
  type WaitForOptions,
} from "./jobs.ts";
export type { EnqueueJobOptions } from "./new-job.ts";
export * from "./store.ts";
export { type JobsTracingOptions, tracerName } from "./tracing-options.ts";
export * from "./workflow-store.ts";
export { defineWorkflow, WorkflowRuntimeMissingError, type WorkflowSpec } from "./workflows/define-workflow.ts";
export {
  DuplicateStepError,
  InvalidEventDataError,
  InvalidFlowError,
  InvalidStepError,
  NonDeterministicWorkflowError,
  StepResultError,
} from "./workflows/errors.ts";
export type { ChildFailure, EnqueuedFlow, FlowChild, FlowSpec } from "./workflows/flow.ts";
export type { WaitForEventOptions, WorkflowStep } from "./workflows/steps.ts";
