/**
 * What instrumentation costs the job hot path, in CPU time per job (less disturbed by other load on a
 * shared machine than wall-clock throughput): n no-op jobs enqueued in bulk, then run to the end, on
 * the memory store (the core alone) and SQLite; plain, with no-op listeners on the job events (what
 * the events alone cost), with errand/metrics listening, with tracing (an SDK recording every span
 * and exporting nowhere). Rounds interleave the variants; medians.
 *
 *   bun bench/instrumentation.ts [--n 20000] [--rounds 5] [--root path/to/another/checkout]
 *
 * `--root` runs the plain variant from another checkout's sources too (e.g. main, for before/after).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const n = Number(flag("n") ?? 20_000);
const rounds = Number(flag("rounds") ?? 5);
const otherRoot = flag("root");
const here = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "errand-instrumentation-"));

type Variant = { label: string; root: string; mode: "plain" | "events" | "metrics" | "tracing" };
const variants: Variant[] = [
  ...(otherRoot ? [{ label: `plain (${otherRoot})`, root: resolve(otherRoot), mode: "plain" as const }] : []),
  { label: "plain", root: here, mode: "plain" },
  { label: "no-op listeners on every job event", root: here, mode: "events" },
  { label: "errand/metrics listening", root: here, mode: "metrics" },
  { label: "tracing, SDK recording", root: here, mode: "tracing" },
];

interface Sample {
  cpuUsPerJob: number;
  jobsPerSecond: number;
}

async function once(variant: Variant, storeKind: "memory" | "sqlite", round: number): Promise<Sample> {
  const core = await import(join(variant.root, "src/index.ts"));
  const { Type } = await import("@sinclair/typebox");
  const store =
    storeKind === "memory"
      ? core.memoryStore()
      : (await import(join(variant.root, "src/stores/sqlite/index.ts"))).sqliteStore({
          path: join(dir, `${variant.mode}-${round}-${Math.random()}.db`),
        });
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((r) => (finished = r));
  const noop = core.defineJob({
    name: "bench.noop",
    payload: Type.Object({ i: Type.Number() }),
    handler: () => {
      if (++done === n) finished();
    },
  });
  const tracing =
    variant.mode === "tracing"
      ? {
          tracerProvider: new BasicTracerProvider({
            spanProcessors: [
              new SimpleSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} }),
            ],
          }),
        }
      : undefined;
  const jobs = core.createJobs({ store, jobs: [noop], logger: core.silentLogger, ...(tracing ? { tracing } : {}) });
  const metrics =
    variant.mode === "metrics"
      ? (await import(join(variant.root, "src/metrics/index.ts"))).errandMetrics({ jobs })
      : null;
  if (variant.mode === "events")
    for (const type of ["enqueued", "started", "succeeded", "failed", "dead"])
      jobs.events.addEventListener(type, () => {});
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let from = 0; from < n; from += 1000)
    await jobs.enqueueMany(
      noop,
      Array.from({ length: Math.min(1000, n - from) }, (_, k) => ({ payload: { i: from + k } })),
    );
  await jobs.start(new AbortController().signal);
  await all;
  await jobs.stop(AbortSignal.timeout(10_000));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  metrics?.close();
  await store.close();
  return { cpuUsPerJob: (cpu.user + cpu.system) / n, jobsPerSecond: (n / elapsed) * 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = new Map<string, Sample[]>();
for (let round = 0; round < rounds; round++) {
  for (const storeKind of ["memory", "sqlite"] as const)
    for (const variant of variants) {
      const key = `${storeKind}\u0000${variant.label}`;
      const sample = await once(variant, storeKind, round);
      results.set(key, [...(results.get(key) ?? []), sample]);
    }
  console.error(`… round ${round + 1}/${rounds}`);
}
rmSync(dir, { recursive: true, force: true });

console.log(`\nInstrumentation cost — n=${n}, ${rounds} rounds, medians (CPU time of this process per job)\n`);
console.log("| store | variant | CPU µs / job | jobs/s (wall) |");
console.log("|---|---|---|---|");
for (const [key, samples] of results) {
  const [storeKind, label] = key.split("\u0000");
  console.log(
    `| ${storeKind} | ${label} | ${median(samples.map((s) => s.cpuUsPerJob)).toFixed(2)} | ${Math.round(
      median(samples.map((s) => s.jobsPerSecond)),
    ).toLocaleString("en-US")} |`,
  );
}
