import type { JobsBenchSession, JobsBenchSystem } from "./jobs-system.ts";

export interface MeasureOptions {
  /** Jobs per bulk and end-to-end run. */
  n: number;
  /** Jobs enqueued one by one (awaited each). */
  single: number;
  /** Single-job enqueue calls made with `inFlight` of them awaited at once (concurrent requests). */
  concurrent: number;
  /** Calls in flight for the concurrent enqueue. */
  inFlight: number;
  /** Idle latency samples. */
  latencySamples: number;
  /** Bulk call size. */
  chunk: number;
  /** End-to-end runs stop here (the rate is then what was processed by the cap); latency sampling too. */
  capMs: number;
}

export interface EndToEnd {
  perSecond: number;
  /** True when the cap stopped the run before every job was processed. */
  capped: boolean;
}

export interface Latency {
  p50: number;
  p99: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function withSession<T>(system: JobsBenchSystem, body: (s: JobsBenchSession) => Promise<T>): Promise<T> {
  const session = await system.open();
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

export function enqueueSingle(system: JobsBenchSystem, o: MeasureOptions): Promise<number> {
  return withSession(system, async (s) => {
    const start = performance.now();
    for (let i = 0; i < o.single; i++) await s.enqueue(i);
    return (o.single * 1000) / (performance.now() - start);
  });
}

/**
 * `concurrent` single-job enqueue calls from `inFlight` callers, each awaiting its call before the next:
 * what concurrent HTTP requests enqueueing one job each do, and where a store can share commits.
 */
export function enqueueInFlight(system: JobsBenchSystem, o: MeasureOptions): Promise<number> {
  return withSession(system, async (s) => {
    let next = 0;
    const caller = async () => {
      for (let i = next++; i < o.concurrent; i = next++) await s.enqueue(i);
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: o.inFlight }, caller));
    return (o.concurrent * 1000) / (performance.now() - start);
  });
}

export function enqueueBulk(system: JobsBenchSystem, o: MeasureOptions): Promise<number> {
  return withSession(system, async (s) => {
    const start = performance.now();
    for (let from = 0; from < o.n; from += o.chunk) await s.enqueueBulk(from, Math.min(o.chunk, o.n - from));
    return (o.n * 1000) / (performance.now() - start);
  });
}

/** Enqueues n jobs first (not timed), then times the worker from start to the last handler start. */
export function endToEnd(system: JobsBenchSystem, o: MeasureOptions): Promise<EndToEnd> {
  return withSession(system, async (s) => {
    for (let from = 0; from < o.n; from += o.chunk) await s.enqueueBulk(from, Math.min(o.chunk, o.n - from));
    let seen = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const start = performance.now();
    await s.startWorker(() => {
      if (++seen === o.n) resolveDone();
    });
    const capped = await Promise.race([done.then(() => false), sleep(o.capMs).then(() => true)]);
    return { perSecond: (seen * 1000) / (performance.now() - start), capped };
  });
}

/** With the worker idle, enqueues one job at a time and times enqueue call → handler start. */
export function idleLatency(system: JobsBenchSystem, o: MeasureOptions): Promise<Latency> {
  return withSession(system, async (s) => {
    const waiting = new Map<number, () => void>();
    await s.startWorker((i) => waiting.get(i)?.());
    await sleep(300);
    const samples: number[] = [];
    const stopAt = performance.now() + o.capMs;
    // Systems that only poll (every 2 s by default) would take minutes: stop at the cap, keeping ≥ 10 samples.
    for (let i = 0; i < o.latencySamples && (i < 10 || performance.now() < stopAt); i++) {
      const started = new Promise<void>((resolve) => waiting.set(i, resolve));
      const t0 = performance.now();
      await s.enqueue(i);
      const arrived = await Promise.race([started.then(() => true), sleep(10_000).then(() => false)]);
      if (!arrived) throw new Error(`${system.id}: job ${i} did not start within 10 s`);
      samples.push(performance.now() - t0);
      waiting.delete(i);
      await sleep(5 + Math.random() * 10);
    }
    samples.sort((a, b) => a - b);
    return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
  });
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
