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
  /** Results (JSON text) of succeeded jobs not yet written: few jobs return one, so a map beside the ids. */
  readonly #results = new Map<string, string>();
  #failed: JobFailure[] = [];
  /** Outcomes taken out of the buffers by the write under way. */
  #inWrite = 0;
  /** Called after each write attempt, successful or not. */
  #afterWrite: (() => void)[] = [];
  #scheduled = false;
  /** A write is queued behind the one under way and will take whatever is buffered when it starts. */
  #queued = false;
  /** The last write failed and its retry waits out retryDelayMs: no eager write hammers the store meanwhile. */
  #retrying = false;
  #closed = false;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: CompletionWriterOptions) {
    this.#options = options;
  }

  succeeded(id: string, result?: string): void {
    this.#succeeded.push(id);
    if (result !== undefined) this.#results.set(id, result);
    this.#schedule();
  }

  failed(failure: JobFailure): void {
    this.#failed.push(failure);
    this.#schedule();
  }

  /**
   * Outcomes recorded and not yet stored (buffered, or in the write under way): the jobs that a crash
   * now would run again although they have ended.
   */
  get unwritten(): number {
    return this.#succeeded.length + this.#failed.length + this.#inWrite;
  }

  /**
   * Resolves once fewer than `limit` outcomes are unwritten, or when `signal` aborts. The buffered
   * outcomes are written at once rather than after the macrotask that batches them: the executor
   * waiting here stays idle until a write lands, so waiting for that macrotask would only add its delay.
   */
  async below(limit: number, signal: AbortSignal): Promise<void> {
    while (this.unwritten >= limit && !signal.aborted) {
      this.#writeSoon();
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          resolve();
        };
        this.#afterWrite.push(done);
        signal.addEventListener("abort", done, { once: true });
      });
    }
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

  /** Queues a write right behind the one under way (if any), unless one is queued already. */
  #writeSoon(): void {
    if (this.#queued || this.#retrying || this.#succeeded.length + this.#failed.length === 0) return;
    this.#queued = true;
    this.#writing = this.#writing.then(() => {
      this.#queued = false;
      return this.#write();
    });
  }

  #resultsOf(ids: readonly string[]): { results?: Map<string, string> } {
    if (this.#results.size === 0) return {};
    const results = new Map<string, string>();
    for (const id of ids) {
      const result = this.#results.get(id);
      if (result !== undefined) results.set(id, result);
    }
    return results.size > 0 ? { results } : {};
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
    this.#inWrite = succeeded.length + failed.length;
    try {
      const at = { workerId, now: clock.now() };
      if (succeeded.length > 0) await store.complete(succeeded, { ...at, ...this.#resultsOf(succeeded) });
      if (failed.length > 0) await store.fail(failed, at);
      this.#inWrite = 0;
      if (this.#results.size > 0) for (const id of succeeded) this.#results.delete(id);
      this.#options.onWritten(succeeded.concat(failed.map((f) => f.id)));
    } catch (error) {
      this.#inWrite = 0;
      // Keep the outcomes and try again: the jobs stay leased (renewed while the store answers) meanwhile.
      logger.error(
        { err: error, succeeded: succeeded.length, failed: failed.length, retrying: !this.#closed },
        "writing job outcomes failed",
      );
      if (this.#closed) return;
      this.#succeeded = succeeded.concat(this.#succeeded);
      this.#failed = failed.concat(this.#failed);
      this.#retrying = true;
      setTimeout(() => {
        this.#retrying = false;
        void this.flush();
      }, this.#options.retryDelayMs);
    } finally {
      const waiting = this.#afterWrite;
      this.#afterWrite = [];
      for (const wake of waiting) wake();
    }
  }
}
