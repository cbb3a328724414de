/**
 * Durable job queues side by side, one run, one machine: enqueue one by one, enqueue in bulk,
 * end-to-end (enqueue n, then process all with a no-op handler) and idle enqueue→start latency.
 * Each figure is the median of `--runs` fresh sessions, the runs interleaved across systems.
 *
 *   bun bench/jobs.ts                       # everything
 *   bun bench/jobs.ts --only errand --n 2000 --runs 1
 *   bun bench/jobs.ts --only pg-boss,graphile-worker:best
 *   bun bench/jobs.ts --only none --ceiling   # only the store-alone ceiling table
 *   bun bench/jobs.ts --only none --scale     # only the backlog table: 1M jobs on SQLite, 200k on PostgreSQL
 *   bun bench/jobs.ts --only none --scale --scale-sqlite 200000 --scale-postgres 50000   # a shorter one
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bullmqSystem } from "./lib/jobs-bullmq.ts";
import { bunqueueSystem, closeBunqueue } from "./lib/jobs-bunqueue.ts";
import { errandSystems, pgStore, sqliteFile } from "./lib/jobs-errand.ts";
import { graphileSystem } from "./lib/jobs-graphile.ts";
import {
  type EndToEnd,
  endToEnd,
  enqueueBulk,
  enqueueInFlight,
  enqueueSingle,
  idleLatency,
  type Latency,
  type MeasureOptions,
  median,
} from "./lib/jobs-measure.ts";
import { pgBossSystem } from "./lib/jobs-pgboss.ts";
import { type ScaleResult, scaleRun } from "./lib/jobs-scale.ts";
import { type StoreCeiling, storeCeiling } from "./lib/jobs-store-ceiling.ts";
import type { JobsBenchSystem } from "./lib/jobs-system.ts";
import { markdownTable, ms, perSecond } from "./lib/jobs-table.ts";

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const n = Number(flag("n") ?? 20_000);
const runs = Number(flag("runs") ?? 3);
const options: MeasureOptions = {
  n,
  single: Number(flag("single") ?? Math.min(n, 1000)),
  concurrent: Number(flag("concurrent") ?? n),
  inFlight: Number(flag("in-flight") ?? 100),
  latencySamples: Number(flag("latency") ?? 200),
  chunk: 1000,
  capMs: Number(flag("cap") ?? 15) * 1000,
};
const only = flag("only")?.split(",");

const dir = mkdtempSync(join(tmpdir(), "errand-jobs-bench-"));
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

interface RunResult {
  single: number;
  inFlight: number;
  bulk: number;
  e2e: EndToEnd;
  latency: Latency;
}

async function measureOnce(system: JobsBenchSystem): Promise<RunResult> {
  return {
    single: await enqueueSingle(system, options),
    inFlight: await enqueueInFlight(system, options),
    bulk: await enqueueBulk(system, options),
    e2e: await endToEnd(system, options),
    latency: await idleLatency(system, options),
  };
}

function toRow(system: JobsBenchSystem, results: readonly RunResult[]): string[] {
  const capped = results.some((r) => r.e2e.capped) ? ` (capped at ${options.capMs / 1000} s)` : "";
  const p50 = median(results.map((r) => r.latency.p50));
  const p99 = median(results.map((r) => r.latency.p99));
  return [
    system.label,
    perSecond(median(results.map((r) => r.single))),
    perSecond(median(results.map((r) => r.inFlight))),
    perSecond(median(results.map((r) => r.bulk))),
    perSecond(median(results.map((r) => r.e2e.perSecond))) + capped,
    `${ms(p50)} / ${ms(p99)}`,
    system.durability,
  ];
}

// Runs are interleaved (run 1 of every system, then run 2, ...) so a change in machine load during
// the benchmark hits every system alike instead of whichever happened to run then.
const results = new Map<JobsBenchSystem, RunResult[]>(systems.map((s) => [s, []]));
const failures = new Map<JobsBenchSystem, string>();
for (let run = 1; run <= runs; run++) {
  for (const system of systems) {
    if (failures.has(system)) continue;
    console.error(`… run ${run}/${runs}: ${system.id}`);
    try {
      results.get(system)!.push(await measureOnce(system));
    } catch (error) {
      console.error(`${system.id} failed:`, error);
      failures.set(system, String((error as Error).message ?? error).slice(0, 60));
    }
  }
}
const rows = systems.map((system) =>
  failures.has(system)
    ? [system.label, "error", "error", "error", "error", failures.get(system)!, system.durability]
    : toRow(system, results.get(system)!),
);
const ceilingRows: string[][] = [];
if (process.argv.includes("--ceiling")) {
  for (const [label, open] of [
    ["SQLite", sqliteFile(dir)],
    ["PostgreSQL", pgStore],
  ] as const) {
    for (const batch of [110, 500]) {
      console.error(`… store ceiling: ${label}, batch ${batch}`);
      const measured: StoreCeiling[] = [];
      for (let run = 0; run < runs; run++) {
        const { store, cleanup } = open();
        try {
          measured.push(await storeCeiling(store, n, batch));
        } finally {
          await cleanup();
        }
      }
      ceilingRows.push([
        `${label} store, batch ${batch}`,
        perSecond(median(measured.map((m) => m.jobsPerSecond))),
        ms(median(measured.map((m) => m.claimMsPerBatch))),
        ms(median(measured.map((m) => m.completeMsPerBatch))),
      ]);
    }
  }
}
const scaleRows: string[][] = [];
if (process.argv.includes("--scale")) {
  // The same end-to-end measure at the usual n and with a large backlog, interleaved run by run.
  const backlogs = [
    ["errand:sqlite", Number(flag("scale-sqlite") ?? 1_000_000)],
    ["errand:postgres", Number(flag("scale-postgres") ?? 200_000)],
  ] as const;
  for (const [id, large] of backlogs) {
    const system = all.find((s) => s.id === id)!;
    const sizes = [n, large];
    const measured = new Map<number, ScaleResult[]>(sizes.map((size) => [size, []]));
    for (let run = 1; run <= runs; run++) {
      for (const size of sizes) {
        console.error(`… scale run ${run}/${runs}: ${id}, ${size} jobs`);
        measured.get(size)!.push(await scaleRun(system, { ...options, capMs: Math.max(options.capMs, 600_000) }, size));
      }
    }
    const rate = (size: number) => median(measured.get(size)!.map((m) => m.perSecond));
    for (const size of sizes) {
      const results = measured.get(size)!;
      scaleRows.push([
        system.label,
        size.toLocaleString("en-US"),
        perSecond(rate(size)) + (results.some((r) => r.capped) ? " (capped)" : ""),
        size === n ? "1.00" : (rate(size) / rate(n)).toFixed(2),
        `${median(results.map((r) => r.rssStartMb)).toFixed(0)} → ${median(results.map((r) => r.rssPeakMb)).toFixed(0)}`,
        system.durability,
      ]);
    }
  }
}
closeBunqueue();
rmSync(dir, { recursive: true, force: true });

console.log(
  `\nDurable jobs — n=${n} (one by one: ${options.single}; in flight: ${options.concurrent} calls, ${options.inFlight} at once), chunk ${options.chunk}, latency samples ${options.latencySamples}, median of ${runs}\n`,
);
console.log(
  markdownTable(
    [
      "system",
      "enqueue one by one /s",
      `enqueue, ${options.inFlight} calls in flight /s`,
      "enqueue bulk /s",
      "end-to-end jobs/s",
      "enqueue→start p50 / p99 (idle)",
      "durability",
    ],
    rows,
  ),
);
if (ceilingRows.length > 0) {
  console.log(
    `\nStore alone (no dispatcher): claim a batch, complete it while claiming the next — n=${n}, median of ${runs}\n`,
  );
  console.log(markdownTable(["store", "jobs/s", "claim per batch", "complete per batch"], ceilingRows));
}
if (scaleRows.length > 0) {
  console.log(
    `\nBacklog: end to end with n jobs inserted first (chunks of ${options.chunk}), median of ${runs}; RSS of the bench process (start → peak)\n`,
  );
  console.log(
    markdownTable(
      ["system", "jobs", "end-to-end jobs/s", `vs ${n.toLocaleString("en-US")}`, "RSS MB", "durability"],
      scaleRows,
    ),
  );
}
process.exit(0);
