// One attempt of one job: a fresh scope, a signal, the timeout, and the outcome to record.
import type { Clock } from "../clock/index.ts";
import type { Logger } from "../hosting/index.ts";
import type { Scope, ServiceRegistry } from "../scope/index.ts";
import type { JobContext } from "./context.ts";
import { JobCancelledError, JobResultError, JobsShutdownError, JobTimeoutError, LeaseLostError } from "./errors.ts";
import type { InFlightJob } from "./in-flight.ts";
import type { JobRecord, JobStore } from "./store.ts";
import { type WorkflowRuntime, WorkflowSuspended, workflowRuntime } from "./workflows/runtime.ts";

export type AttemptOutcome =
  | { kind: "succeeded"; result: string | undefined }
  | { kind: "failed"; error: unknown }
  | { kind: "abandoned" }
  /** A workflow slept or parked on an event: the store already rescheduled it at runAt. */
  | { kind: "suspended"; runAt: number };

export interface AttemptDeps {
  registry: ServiceRegistry;
  logger: Logger;
  store: JobStore<unknown>;
  workerId: string;
  clock: Clock;
  /** The largest result stored, in UTF-8 bytes of its JSON. */
  maxResultBytes: number;
  /** Records a handler's ctx.progress report (throttled by the caller). */
  progress(job: InFlightJob, value: unknown): Promise<void>;
}

export async function runAttempt(job: InFlightJob, deps: AttemptDeps): Promise<AttemptOutcome> {
  const { claimed, def, control } = job;
  const timer =
    def.timeoutMs === undefined
      ? undefined
      : setTimeout(() => control.abort(new JobTimeoutError(def.name, def.timeoutMs!)), def.timeoutMs);
  const ctx = new AttemptContext(job, deps);
  try {
    // The race lets a handler that ignores its signal be given up on at the timeout or the shutdown
    // deadline; JavaScript cannot stop it, but its result is no longer recorded.
    const value = await control.race(Promise.resolve().then(() => def.handler(claimed.payload as never, ctx)));
    const result = serializeResult(def.name, value, deps.maxResultBytes);
    // Disposal is part of the attempt: a unit of work that commits when its scope ends can fail it.
    await ctx.dispose();
    return { kind: "succeeded", result };
  } catch (error) {
    await ctx
      .dispose()
      .catch((disposeError: unknown) =>
        deps.logger.error({ err: disposeError, jobId: claimed.id }, "disposing a failed job's scope failed"),
      );
    return classify(job, error);
  } finally {
    clearTimeout(timer);
  }
}

function classify(job: InFlightJob, error: unknown): AttemptOutcome {
  const reason = job.control.reason;
  if (
    job.abandoned ||
    reason instanceof JobsShutdownError ||
    reason instanceof LeaseLostError ||
    reason instanceof JobCancelledError
  )
    return { kind: "abandoned" };
  if (error instanceof WorkflowSuspended) return { kind: "suspended", runAt: error.runAt };
  return { kind: "failed", error: reason instanceof JobTimeoutError ? reason : error };
}

/** The handler's return value as JSON text, checked against the size limit; undefined stores nothing. */
function serializeResult(jobName: string, value: unknown, maxBytes: number): string | undefined {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new JobResultError(jobName, `its handler returned a value that is not JSON (${String(error)}).`);
  }
  if (json === undefined) return undefined;
  // A UTF-8 byte is at most 3 per UTF-16 unit: only results near the limit need encoding to measure.
  const bytes = json.length * 3 <= maxBytes ? json.length : new TextEncoder().encode(json).length;
  if (bytes > maxBytes) {
    throw new JobResultError(
      jobName,
      `its result is ${bytes} bytes of JSON, over the limit of ${maxBytes} (createJobs({ maxResultBytes })); store large output elsewhere and return a reference.`,
    );
  }
  return json;
}

/**
 * The handler's ctx. The scope and the logger are built on first use: many handlers never touch
 * them, and at tens of thousands of jobs a second each allocation shows.
 */
class AttemptContext implements JobContext {
  readonly attempt: number;
  readonly job: JobContext["job"];
  readonly #in: InFlightJob;
  readonly #deps: AttemptDeps;
  #scope: Scope | undefined;
  #logger: Logger | undefined;

  constructor(job: InFlightJob, deps: AttemptDeps) {
    this.#in = job;
    this.#deps = deps;
    this.attempt = job.claimed.attempt;
    this.job = { id: job.claimed.id, name: job.claimed.name, enqueuedAt: new Date(job.claimed.enqueuedAt) };
  }

  get scope(): Scope {
    this.#scope ??= this.#deps.registry.createScope();
    return this.#scope;
  }

  /** The flow children's records (results included), in id order; none for a job that is no flow parent. */
  children(): Promise<JobRecord[]> {
    return this.#deps.store.dependencies(this.job.id, "child");
  }

  get [workflowRuntime](): WorkflowRuntime {
    const { store, workerId, clock } = this.#deps;
    return { store, workerId, clock, jobId: this.job.id, enqueuedAt: this.#in.claimed.enqueuedAt };
  }

  get signal(): AbortSignal {
    return this.#in.control.signal;
  }

  progress(value: unknown): Promise<void> {
    return this.#deps.progress(this.#in, value);
  }

  get logger(): Logger {
    const traceId = this.#in.traceId;
    this.#logger ??= this.#deps.logger.child({
      jobId: this.job.id,
      job: this.job.name,
      attempt: this.attempt,
      ...(traceId === undefined ? {} : { traceId }),
    });
    return this.#logger;
  }

  async dispose(): Promise<void> {
    const scope = this.#scope;
    if (scope) await scope[Symbol.asyncDispose]();
  }
}
