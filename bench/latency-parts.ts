/**
 * Where the idle enqueue→start time goes on PostgreSQL, and what taking a job on enqueue buys: the
 * enqueue's own commit, the wait until the dispatcher's claim starts, the claim statement, and the
 * hand-off to the handler. Two variants, interleaved in rounds of 20 samples: "claim" (the store's
 * claimsOnEnqueue hidden, so the dispatcher claims every job after the enqueue's local wake) and
 * "taken on enqueue" (the default). One job at a time, the worker idle, 5–15 ms apart.
 *
 *   bun bench/latency-parts.ts [--samples 200]
 */
import { t } from "elysia";
import { silentLogger } from "../src/hosting/index.ts";
import { createJobs, defineJob, type JobStore } from "../src/jobs/index.ts";
import { pgStore } from "./lib/jobs-errand.ts";
import { median, quantile } from "./lib/jobs-measure.ts";

const at = process.argv.indexOf("--samples");
const samples = at === -1 ? 200 : Number(process.argv[at + 1]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Parts {
  enqueue: number[];
  toClaim: number[];
  claim: number[];
  toHandler: number[];
  total: number[];
}

async function open(takeOnEnqueue: boolean) {
  const handle = pgStore();
  const inner = handle.store;
  const timing = { claimStart: 0, claimEnd: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "claimsOnEnqueue") return takeOnEnqueue ? Reflect.get(target, prop, receiver) : undefined;
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop !== "claim") return value.bind(target);
      return async (...args: unknown[]) => {
        const started = performance.now();
        const rows = (await value.apply(target, args)) as unknown[];
        if (rows.length > 0) Object.assign(timing, { claimStart: started, claimEnd: performance.now() });
        return rows;
      };
    },
  }) as JobStore<unknown>;
  let onStart: () => void = () => {};
  const probe = defineJob({ name: "bench.probe", payload: t.Object({ i: t.Number() }), handler: () => onStart() });
  const jobs = createJobs({ store, jobs: [probe], logger: silentLogger });
  await store.init();
  await jobs.start(new AbortController().signal);
  await sleep(300);
  const parts: Parts = { enqueue: [], toClaim: [], claim: [], toHandler: [], total: [] };
  return {
    parts,
    async sample(i: number) {
      timing.claimStart = Number.NaN;
      const started = new Promise<number>((resolve) => (onStart = () => resolve(performance.now())));
      const t0 = performance.now();
      await jobs.enqueue(probe, { i });
      const enqueued = performance.now();
      const handlerAt = await started;
      parts.enqueue.push(enqueued - t0);
      if (!Number.isNaN(timing.claimStart)) {
        parts.toClaim.push(timing.claimStart - enqueued);
        parts.claim.push(timing.claimEnd - timing.claimStart);
        parts.toHandler.push(handlerAt - timing.claimEnd);
      } else parts.toHandler.push(handlerAt - enqueued);
      parts.total.push(handlerAt - t0);
    },
    async close() {
      await jobs.stop(AbortSignal.timeout(5000));
      await handle.cleanup();
    },
  };
}

const variants = [
  { label: "claim after the enqueue (local wake)", session: await open(false) },
  { label: "taken on enqueue", session: await open(true) },
];
for (let i = 0; i < samples; i += 20) {
  for (const { session } of variants) {
    for (let k = i; k < Math.min(samples, i + 20); k++) {
      await session.sample(k);
      await sleep(5 + Math.random() * 10);
    }
  }
}
for (const { session } of variants) await session.close();

const fmt = (xs: number[]) => (xs.length === 0 ? "–" : `${median(xs).toFixed(2)} ms`);
console.log(`PostgreSQL enqueue→start, idle, ${samples} samples per variant, medians of each part\n`);
console.log("| variant | enqueue (insert + fsync'd commit) | → claim starts | claim | → handler | total p50 | p99 |");
console.log("|---|---|---|---|---|---|---|");
for (const { label, session } of variants) {
  const p = session.parts;
  const p99 = quantile(
    [...p.total].sort((a, b) => a - b),
    0.99,
  );
  console.log(
    `| ${label} | ${fmt(p.enqueue)} | ${fmt(p.toClaim)} | ${fmt(p.claim)} | ${fmt(p.toHandler)} | ${fmt(p.total)} | ${p99.toFixed(2)} ms |`,
  );
}
process.exit(0);
