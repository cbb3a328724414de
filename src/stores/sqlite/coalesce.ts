// Concurrent enqueues (requests handled at the same time) share one transaction: each awaited
// enqueue still resolves only after its row is committed, but N of them cost one commit, not N.
import type { EnqueuedJob, NewJob } from "../../jobs/store.ts";

interface Pending {
  jobs: readonly NewJob[];
  now: number;
  resolve: (results: EnqueuedJob[]) => void;
  reject: (error: unknown) => void;
}

export type InsertMany = (batches: readonly { jobs: readonly NewJob[]; now: number }[]) => EnqueuedJob[][];
export type InsertOne = (jobs: readonly NewJob[], now: number) => EnqueuedJob[];

export class EnqueueCoalescer {
  #pending: Pending[] = [];
  readonly #insertMany: InsertMany;
  readonly #insertOne: InsertOne;

  constructor(insertMany: InsertMany, insertOne: InsertOne) {
    this.#insertMany = insertMany;
    this.#insertOne = insertOne;
  }

  enqueue(jobs: readonly NewJob[], now: number): Promise<EnqueuedJob[]> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ jobs, now, resolve, reject }) === 1) queueMicrotask(() => this.#flush());
    });
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    if (pending.length === 1) {
      settle(pending[0]!, () => this.#insertOne(pending[0]!.jobs, pending[0]!.now));
      return;
    }
    try {
      const results = this.#insertMany(pending);
      for (const [i, p] of pending.entries()) p.resolve(results[i]!);
    } catch {
      // The shared transaction rolled back: retry each caller alone, so only the faulty one fails.
      for (const p of pending) settle(p, () => this.#insertOne(p.jobs, p.now));
    }
  }
}

function settle(pending: Pending, insert: () => EnqueuedJob[]): void {
  try {
    pending.resolve(insert());
  } catch (error) {
    pending.reject(error);
  }
}
