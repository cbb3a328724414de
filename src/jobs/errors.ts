import { describeValue } from "./describe-value.ts";

/** Base class of every error the jobs layer throws, so callers can catch them as one family. */
export class JobsError extends Error {
  override name = "JobsError";
}

/** The job is not among the definitions given to createJobs. */
export class UnknownJobError extends JobsError {
  override name = "UnknownJobError";
  constructor(
    readonly jobName: string,
    known: readonly string[],
  ) {
    super(
      `Unknown job "${jobName}": pass its definition to createJobs({ jobs: [...] }). ` +
        `Registered: ${known.length ? known.map((n) => `"${n}"`).join(", ") : "none"}.`,
    );
  }
}

/** One problem found in a payload: where (a JSON pointer) and what. */
export interface PayloadIssue {
  path: string;
  message: string;
}

/** The payload does not match the job's schema; nothing was written. */
export class InvalidPayloadError extends JobsError {
  override name = "InvalidPayloadError";
  constructor(
    readonly jobName: string,
    readonly issues: readonly PayloadIssue[],
  ) {
    const shown = issues
      .slice(0, 3)
      .map((i) => `${i.path || "/"}: ${i.message}`)
      .join("; ");
    super(
      `Invalid payload for job "${jobName}": ${shown}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""}`,
    );
  }
}

/** delayMs, runAt, priority or key is not usable; nothing was written. */
export class InvalidEnqueueOptionsError extends JobsError {
  override name = "InvalidEnqueueOptionsError";
}

/** A job definition or createJobs option is invalid (caught at startup, not at run time). */
export class InvalidJobDefinitionError extends JobsError {
  override name = "InvalidJobDefinitionError";
}

/** createJobs({ tracing }) is on but @opentelemetry/api, which it makes spans through, cannot be loaded. */
export class TracingUnavailableError extends JobsError {
  override name = "TracingUnavailableError";
  constructor(cause: unknown) {
    super(
      "createJobs({ tracing }) makes spans through @opentelemetry/api, which could not be loaded: install it " +
        "(bun add @opentelemetry/api) or turn tracing off.",
      { cause },
    );
  }
}

/** enqueueSync was called on a store that can only enqueue asynchronously (PostgreSQL). */
export class SyncEnqueueUnsupportedError extends JobsError {
  override name = "SyncEnqueueUnsupportedError";
  constructor() {
    super("This job store cannot enqueue synchronously; use `await jobs.enqueue(def, payload, { tx })` instead.");
  }
}

/** A job store was called after its close(). Not retryable: a closed store stays closed. */
export class StoreClosedError extends JobsError {
  override name = "StoreClosedError";
  readonly retryable = false;
  constructor(readonly method: string) {
    super(
      `The job store was closed (store.close()), so ${method}() cannot run. Close the store last, after host.stop() ` +
        "(or jobs.stop()) has returned, or create a new store to keep working.",
    );
  }
}

/**
 * Thrown by a handler to say that retrying cannot help (bad input, a permanently rejected request):
 * the job goes straight to dead, keeping this error.
 */
export class NonRetryableError extends Error {
  override name = "NonRetryableError";
}

/** The handler ran longer than the job's timeoutMs; counts as a failed attempt. */
export class JobTimeoutError extends JobsError {
  override name = "JobTimeoutError";
  constructor(
    readonly jobName: string,
    readonly timeoutMs: number,
  ) {
    super(`Job "${jobName}" did not finish within its timeout of ${timeoutMs} ms; ctx.signal was aborted.`);
  }
}

/** ctx.signal's reason when the host shuts down: the job is released, not failed. */
export class JobsShutdownError extends JobsError {
  override name = "JobsShutdownError";
  constructor() {
    super(
      "The jobs service is shutting down: the job was released and will run again (here after restart, or on another instance).",
    );
  }
}

/** ctx.signal's reason when the lease was lost (expired and taken over): the result will be ignored. */
export class LeaseLostError extends JobsError {
  override name = "LeaseLostError";
  constructor(readonly jobId: string) {
    super(`Job ${jobId} lost its lease (it expired and another worker may run it); this attempt's result is ignored.`);
  }
}

/** A handler's return value is over the result size limit, or is not JSON: the job is dead, its result lost. */
export class JobResultError extends JobsError {
  override name = "JobResultError";
  constructor(
    readonly jobName: string,
    message: string,
  ) {
    super(`Job "${jobName}": ${message}`);
  }
}

/**
 * ctx.signal's reason when the job was cancelled (jobs.cancel, on any instance): the attempt's outcome
 * is not recorded, the job stays cancelled (retry() runs it again).
 */
export class JobCancelledError extends JobsError {
  override name = "JobCancelledError";
  constructor(readonly jobId: string) {
    super(`Job ${jobId} was cancelled; this attempt's result is ignored.`);
  }
}

/** waitFor gave up: the job did not finish within timeoutMs. */
export class WaitForTimeoutError extends JobsError {
  override name = "WaitForTimeoutError";
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`Job ${jobId} did not reach succeeded, dead or cancelled within waitFor's timeoutMs of ${timeoutMs} ms.`);
  }
}

/** waitFor's timeoutMs is not a finite number >= 0; nothing was waited for. */
export class InvalidWaitForOptionsError extends JobsError {
  override name = "InvalidWaitForOptionsError";
  constructor(
    readonly jobId: string,
    readonly timeoutMs: unknown,
  ) {
    super(
      `waitFor(${JSON.stringify(jobId)}): timeoutMs must be a finite number >= 0 (omit it to wait as long as it takes), got ${describeValue(timeoutMs)}.`,
    );
  }
}

/** The id names no job (never enqueued, discarded or pruned). */
export class UnknownJobIdError extends JobsError {
  override name = "UnknownJobIdError";
  constructor(readonly jobId: string) {
    super(`No job with id ${JSON.stringify(jobId)}: it was never enqueued, or it was discarded or pruned.`);
  }
}

/** jobs.pause / jobs.resume got something other than `{ name }` or `{ queue }` (a non-empty string without NUL). */
export class InvalidPauseTargetError extends JobsError {
  override name = "InvalidPauseTargetError";
  constructor(target: unknown) {
    super(
      `jobs.pause and jobs.resume take { name: "<job name>" } or { queue: "<queue>" } (one of them, a non-empty string without NUL characters), got ${JSON.stringify(target)}.`,
    );
  }
}
