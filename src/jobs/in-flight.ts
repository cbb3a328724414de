import type { AttemptControl } from "./attempt-control.ts";
import type { AnyJobDefinition } from "./define-job.ts";
import type { ClaimedJob, JobFailure } from "./store.ts";

/** A claimed job held by this process: buffered in the channel, running, or awaiting its write. */
export interface InFlightJob {
  readonly claimed: ClaimedJob;
  readonly def: AnyJobDefinition;
  /** Aborts ctx.signal: timeout, shutdown, lost lease or cancel (the reason says which). */
  readonly control: AttemptControl;
  /** Set once the job was released or lost: whatever its handler does next is not recorded. */
  abandoned: boolean;
  /** Set once its handler has ended: the job then only waits for its outcome's batched write. */
  finished: boolean;
  /** How long the handler ran, and the failure recorded for it, for the event sent once it is written. */
  durationMs?: number;
  failure?: JobFailure;
  /** The trace of the attempt's run span (tracing on): bound into ctx.logger. */
  traceId?: string;
  /** ctx.progress throttling: the latest report (JSON), when it was last written, the pending write. */
  progress?: string;
  progressAt?: number;
  progressTimer?: ReturnType<typeof setTimeout>;
}
