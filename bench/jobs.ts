/**
 * Durable job queues side by side, one run, one machine: enqueue one by one, enqueue in bulk,
 * end-to-end (enqueue n, then process all with a no-op handler) and idle enqueue→start latency.
 * Each figure is the median of `--runs` fresh sessions.
 *
 *   bun bench/jobs.ts                       # everything
 *   bun bench/jobs.ts --only errand --n 2000 --runs 1
 *   bun bench/jobs.ts --only pg-boss,graphile-worker:best
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bullmqSystem } from "./lib/jobs-bullmq.ts";
import { bunqueueSystem, closeBunqueue } from "./lib/jobs-bunqueue.ts";
import { errandSystems } from "./lib/jobs-errand.ts";
import { graphileSystem } from "./lib/jobs-graphile.ts";
import { endToEnd, enqueueBulk, enqueueSingle, idleLatency, median, type MeasureOptions } from "./lib/jobs-measure.ts";
import type { JobsBenchSystem } from "./lib/jobs-system.ts";
import { markdownTable, ms, perSecond } from "./lib/jobs-table.ts";
import { pgBossSystem } from "./lib/jobs-pgboss.ts";

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const n = Number(flag("n") ?? 20_000);
const runs = Number(flag("runs") ?? 3);
const options: MeasureOptions = {
  n,
  single: Number(flag("single") ?? Math.min(n, 2000)),
  latencySamples: Number(flag("latency") ?? 200),
  chunk: 1000,
  capMs: Number(flag("cap") ?? 15) * 1000,
};
const only = flag("only")?.split(",");

const dir = mkdtempSync(join(tmpdir(), "errand-bench-"));
const all: JobsBenchSystem[] = [
  ...errandSystems(dir),
  bunqueueSystem("buffered", join(dir, "bunqueue.db")),
  bunqueueSystem("durable", join(dir, "bunqueue.db")),
  pgBossSystem("best"),
  pgBossSystem("default"),
  graphileSystem("best"),
  graphileSystem("default"),
  bullmqSystem("best"),
  bullmqSystem("default"),
];
const systems = all.filter((s) => !only || only.some((o) => s.id.startsWith(o)));

async function medianOf<T>(measure: () => Promise<T>, pick: (t: T) => number): Promise<{ value: number; all: T[] }> {
  const results: T[] = [];
  for (let r = 0; r < runs; r++) results.push(await measure());
  return { value: median(results.map(pick)), all: results };
}

const rows: string[][] = [];
for (const system of systems) {
  console.error(`… ${system.id}`);
  try {
    const single = await medianOf(() => enqueueSingle(system, options), (x) => x);
    const bulk = await medianOf(() => enqueueBulk(system, options), (x) => x);
    const e2e = await medianOf(() => endToEnd(system, options), (x) => x.perSecond);
    const latency = await medianOf(() => idleLatency(system, options), (x) => x.p50);
    const p99 = median(latency.all.map((x) => x.p99));
    const capped = e2e.all.some((x) => x.capped) ? ` (capped at ${options.capMs / 1000} s)` : "";
    const row = [
      system.label,
      perSecond(single.value),
      perSecond(bulk.value),
      perSecond(e2e.value) + capped,
      `${ms(latency.value)} / ${ms(p99)}`,
      system.durability,
    ];
    rows.push(row);
    console.error(`  ${row.join(" | ")}`);
  } catch (error) {
    console.error(`${system.id} failed:`, error);
    rows.push([system.label, "error", "error", "error", String((error as Error).message ?? error).slice(0, 60), system.durability]);
  }
}
closeBunqueue();
rmSync(dir, { recursive: true, force: true });

console.log(
  `\nDurable jobs — n=${n} (one by one: ${options.single}), chunk ${options.chunk}, latency samples ${options.latencySamples}, median of ${runs}\n`,
);
console.log(
  markdownTable(
    ["system", "enqueue one by one /s", "enqueue bulk /s", "end-to-end jobs/s", "enqueue→start p50 / p99 (idle)", "durability"],
    rows,
  ),
);
process.exit(0);
