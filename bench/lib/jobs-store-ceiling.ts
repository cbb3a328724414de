import type { JobStore, NewJob } from "../../src/jobs/index.ts";

export interface StoreCeiling {
  jobsPerSecond: number;
  claimMsPerBatch: number;
  completeMsPerBatch: number;
}

/**
 * The store alone, no dispatcher: claim `batch` jobs, and write the previous batch's completion while
 * claiming the next. What the end-to-end figure would be if the core's pipeline cost nothing; the
 * difference between the two is the dispatcher's share.
 */
export async function storeCeiling(store: JobStore<unknown>, n: number, batch: number): Promise<StoreCeiling> {
  await store.init();
  const now = Date.now();
  for (let from = 0; from < n; from += 1000) {
    const count = Math.min(1000, n - from);
    await store.enqueue(
      Array.from({ length: count }, (_, k) => noop(from + k, now)),
      { now },
    );
  }
  let claimMs = 0;
  let completeMs = 0;
  let batches = 0;
  let writing: Promise<void> = Promise.resolve();
  const start = performance.now();
  for (;;) {
    const claimStart = performance.now();
    const claimed = await store.claim({
      workerId: "ceiling",
      limit: batch,
      now: Date.now(),
      leaseMs: 30_000,
      names: ["bench.noop"],
    });
    claimMs += performance.now() - claimStart;
    if (claimed.length === 0) break;
    batches++;
    await writing;
    const completeStart = performance.now();
    writing = store
      .complete(
        claimed.map((c) => c.id),
        { workerId: "ceiling", now: Date.now() },
      )
      .then(() => {
        completeMs += performance.now() - completeStart;
      });
  }
  await writing;
  return {
    jobsPerSecond: (n * 1000) / (performance.now() - start),
    claimMsPerBatch: claimMs / batches,
    completeMsPerBatch: completeMs / batches,
  };
}

function noop(i: number, now: number): NewJob {
  return { name: "bench.noop", queue: "default", payload: { i }, priority: 0, runAt: now, maxAttempts: 3, key: null };
}
