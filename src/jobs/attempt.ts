// One attempt of one job: a fresh scope, a signal, the timeout, and the outcome to record.
import type { Logger } from "../hosting/index.ts";
import type { ServiceRegistry } from "../scope/index.ts";
import type { JobContext } from "./context.ts";
import { JobsShutdownError, JobTimeoutError, LeaseLostError } from "./errors.ts";
import type { InFlightJob } from "./in-flight.ts";

export type AttemptOutcome = { kind: "succeeded" } | { kind: "failed"; error: unknown } | { kind: "abandoned" };

export interface AttemptDeps {
  registry: ServiceRegistry;
  logger: Logger;
}

export async function runAttempt(job: InFlightJob, deps: AttemptDeps): Promise<AttemptOutcome> {
  const { claimed, def, controller } = job;
  const timer = def.timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new JobTimeoutError(def.name, def.timeoutMs!)), def.timeoutMs);
  try {
    await using scope = deps.registry.createScope();
    const ctx = createContext(job, scope, deps.logger);
    // The race lets a handler that ignores its signal be given up on at the timeout or the shutdown
    // deadline; JavaScript cannot stop it, but its result is no longer recorded.
    await Promise.race([Promise.resolve().then(() => def.handler(claimed.payload as never, ctx)), rejectWhenAborted(controller.signal)]);
    return { kind: "succeeded" };
  } catch (error) {
    return classify(job, error);
  } finally {
    clearTimeout(timer);
  }
}

function classify(job: InFlightJob, error: unknown): AttemptOutcome {
  const reason: unknown = job.controller.signal.aborted ? job.controller.signal.reason : undefined;
  if (job.abandoned || reason instanceof JobsShutdownError || reason instanceof LeaseLostError) return { kind: "abandoned" };
  return { kind: "failed", error: reason instanceof JobTimeoutError ? reason : error };
}

function createContext(job: InFlightJob, scope: JobContext["scope"], base: Logger): JobContext {
  const { claimed } = job;
  let logger: Logger | undefined;
  return {
    scope,
    signal: job.controller.signal,
    attempt: claimed.attempt,
    job: { id: claimed.id, name: claimed.name, enqueuedAt: new Date(claimed.enqueuedAt) },
    // Built on first use: most handlers never log, and a pino child costs an allocation per job.
    get logger() {
      logger ??= base.child({ jobId: claimed.id, job: claimed.name, attempt: claimed.attempt });
      return logger;
    },
  };
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
