// Group commit for enqueues on the store's own connections: concurrent `enqueue(jobs)` calls (one per
// HTTP request, many requests at once) are merged into one multi-job enqueue, so N callers share one
// statement and one fsync'd commit instead of paying N. Every caller still gets its own results and
// its own error, and its promise settles only after the shared statement has committed.
//
// The merging happens above the SQL: the flush calls the store's ordinary multi-job enqueue with the
// callers' jobs concatenated, so this file knows nothing of the statement. Web-standard only.
import type { EnqueuedJob, NewJob } from "../../jobs/store.ts";

/** The store's multi-job enqueue on its own connection: one statement, one commit. */
export type EnqueueMany = (jobs: readonly NewJob[], now: number) => Promise<EnqueuedJob[]>;

export interface GroupCommitOptions {
  /**
   * Merged statements running at once. While that many are in flight, new calls wait and join the
   * next one, so the batch grows with the load and an idle call waits for nothing (the flush runs at
   * the end of the current tick). Default 2: one statement commits while the next gathers callers,
   * and the pool keeps connections for claims and completions.
   */
  maxInFlight?: number;
  /** Jobs per merged statement at most (a statement's size and its lock span stay bounded). Default 1000. */
  maxJobs?: number;
  /** A failure that concerns the connection, not one caller's jobs: the whole batch fails with it. */
  isBatchWide?: (error: unknown) => boolean;
}

interface Call {
  readonly jobs: readonly NewJob[];
  readonly now: number;
  readonly resolve: (results: EnqueuedJob[]) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit {
  readonly #enqueueMany: EnqueueMany;
  readonly #maxInFlight: number;
  readonly #maxJobs: number;
  readonly #isBatchWide: (error: unknown) => boolean;
  #waiting: Call[] = [];
  #inFlight = 0;
  #flushQueued = false;

  constructor(enqueueMany: EnqueueMany, options: GroupCommitOptions = {}) {
    this.#enqueueMany = enqueueMany;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.#maxJobs = Math.max(1, options.maxJobs ?? 1000);
    this.#isBatchWide = options.isBatchWide ?? (() => false);
  }

  enqueue(jobs: readonly NewJob[], now: number): Promise<EnqueuedJob[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ jobs, now, resolve, reject });
      this.#scheduleFlush();
    });
  }

  /** At the end of the tick, so calls made in the same tick share the statement. */
  #scheduleFlush(): void {
    if (this.#flushQueued || this.#inFlight >= this.#maxInFlight) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#take();
      this.#inFlight++;
      void this.#run(batch).finally(() => {
        this.#inFlight--;
        // Calls that arrived while every slot was busy go out together now.
        if (this.#waiting.length > 0) this.#scheduleFlush();
      });
    }
  }

  /** The oldest waiting calls, up to maxJobs jobs (a single larger call goes alone). */
  #take(): Call[] {
    let jobs = 0;
    let count = 0;
    for (const call of this.#waiting) {
      if (count > 0 && jobs + call.jobs.length > this.#maxJobs) break;
      jobs += call.jobs.length;
      count++;
    }
    return this.#waiting.splice(0, count);
  }

  /**
   * One statement for the batch. If it fails for a reason that is not the connection's, the batch is
   * split in halves and each half tried again, so only the call that caused it (an invalid payload, a
   * value out of range) fails, at a cost of about 2·log2(n) statements per culprit; nothing of a failed
   * statement was committed, so no caller is reported a job that does not exist.
   */
  async #run(batch: readonly Call[]): Promise<void> {
    try {
      const results = await this.#enqueueMany(
        batch.flatMap((call) => call.jobs),
        latest(batch),
      );
      let at = 0;
      for (const call of batch) {
        call.resolve(results.slice(at, at + call.jobs.length));
        at += call.jobs.length;
      }
    } catch (error) {
      if (batch.length === 1 || this.#isBatchWide(error)) {
        for (const call of batch) call.reject(error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.#run(batch.slice(0, half));
      await this.#run(batch.slice(half));
    }
  }
}

/**
 * The batch's `now`: the latest of its callers' clocks. A caller's clock was read before the batch
 * commits, so the latest is still no later than the commit: a job's enqueue time moves forward by at
 * most the time it waited for the batch, and a job whose `runAt` came due meanwhile is stored ready
 * instead of scheduled, which is what it is at commit.
 */
function latest(batch: readonly Call[]): number {
  let now = batch[0]!.now;
  for (const call of batch) if (call.now > now) now = call.now;
  return now;
}
