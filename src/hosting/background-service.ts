import { describe, StopDeadlineError } from "./errors.ts";
import type { HostedService, ServiceHealth } from "./hosted-service.ts";

/**
 * A long-running service (.NET's BackgroundService): implement `execute`, which runs from start until
 * `stoppingSignal` aborts. `start` does not wait for `execute`; `stop` aborts the stopping signal and
 * waits for `execute` to return, but no longer than the host's shutdown deadline.
 */
export abstract class BackgroundService implements HostedService {
  abstract readonly name: string;
  #stopping = new AbortController();
  #executeTask: Promise<void> | undefined;
  #failure: unknown = undefined;
  #failed = false;

  protected abstract execute(stoppingSignal: AbortSignal): Promise<void>;

  get executeTask(): Promise<void> | undefined {
    return this.#executeTask;
  }

  async start(_signal: AbortSignal): Promise<void> {
    // Deferred by a microtask so a synchronous throw in execute() is a failure of the task, not of start.
    this.#executeTask = Promise.resolve()
      .then(() => this.execute(this.#stopping.signal))
      .catch((error: unknown) => {
        this.#failed = true;
        this.#failure = error;
        throw error;
      });
    // The host observes failures through executeTask; this keeps an unobserved one from crashing the program.
    this.#executeTask.catch(() => {});
  }

  async stop(signal: AbortSignal): Promise<void> {
    this.#stopping.abort();
    if (!this.#executeTask) return;
    const outcome = await Promise.race([
      this.#executeTask.then(
        () => "done",
        () => "done",
      ),
      untilAborted(signal).then(() => "deadline"),
    ]);
    if (outcome === "deadline") throw new StopDeadlineError(this.name);
  }

  health(): ServiceHealth {
    if (this.#failed) return { ready: false, reason: `failed: ${describe(this.#failure)}` };
    return { ready: true };
  }
}

/** Resolves when the signal aborts; removes its listener when it does. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
