// Coalesces the ends of attempts: every success and failure recorded within one macrotask is written
// with one complete() and one fail() call, so a burst of short jobs costs two statements, not 2N.
import type { Clock } from "../clock/index.ts";
import type { Logger } from "../hosting/index.ts";
import type { JobFailure, JobStore } from "./store.ts";

export interface CompletionWriterOptions {
  store: JobStore<unknown>;
  workerId: string;
  clock: Clock;
  logger: Logger;
  /** Wait before writing again after the store failed. */
  retryDelayMs: number;
  /** Called with every id whose outcome was written (or refused by the store: the job is not ours). */
  onWritten: (ids: readonly string[]) => void;
}

export class CompletionWriter {
  readonly #options: CompletionWriterOptions;
  #succeeded: string[] = [];
  #failed: JobFailure[] = [];
  #scheduled = false;
  #closed = false;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: CompletionWriterOptions) {
    this.#options = options;
  }

  succeeded(id: string): void {
    this.#succeeded.push(id);
    this.#schedule();
  }

  failed(failure: JobFailure): void {
    this.#failed.push(failure);
    this.#schedule();
  }

  /** Writes everything recorded so far; resolves once it is written (or the store gave up). */
  async flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write());
    await this.#writing;
  }

  /**
   * After the final flush at shutdown: a failed write is not retried any more (the service is gone);
   * those jobs' leases expire and they run again, as after a crash.
   */
  close(): void {
    this.#closed = true;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A macrotask, not a microtask: executors finishing short jobs chain microtasks, and all of
    // their results should land in this one write.
    setTimeout(() => {
      this.#scheduled = false;
      void this.flush();
    }, 0);
  }

  async #write(): Promise<void> {
    if (this.#succeeded.length === 0 && this.#failed.length === 0) return;
    const succeeded = this.#succeeded;
    const failed = this.#failed;
    this.#succeeded = [];
    this.#failed = [];
    const { store, workerId, clock, logger } = this.#options;
    try {
      const at = { workerId, now: clock.now() };
      if (succeeded.length > 0) await store.complete(succeeded, at);
      if (failed.length > 0) await store.fail(failed, at);
      this.#options.onWritten(succeeded.concat(failed.map((f) => f.id)));
    } catch (error) {
      // Keep the outcomes and try again: the jobs stay leased (renewed while the store answers) meanwhile.
      logger.error(
        { err: error, succeeded: succeeded.length, failed: failed.length, retrying: !this.#closed },
        "writing job outcomes failed",
      );
      if (this.#closed) return;
      this.#succeeded = succeeded.concat(this.#succeeded);
      this.#failed = failed.concat(this.#failed);
      setTimeout(() => void this.flush(), this.#options.retryDelayMs);
    }
  }
}
