/**
 * Recurring schedules side by side, one run, one machine: K schedules firing every second for D
 * seconds; for each run of a handler, how late it started after its tick (ms), and how many of the
 * owed runs happened. Each figure is the median over `--runs` fresh sessions.
 *
 *   bun bench/cron.ts                          # everything, K = 10 and 100
 *   bun bench/cron.ts --only errand --crons 10 --seconds 3 --runs 1
 *
 * pg-boss (`schedule`) and graphile-worker (crontab) schedule at minute resolution, so an every-second
 * comparison does not apply to them; they are listed, not measured.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue as BullQueue, Worker as BullWorker } from "bullmq";
import { Queue as BunQueue, Worker as BunWorker, shutdownManager } from "bunqueue/client";
import { Cron } from "croner";
import pg from "pg";
import { createCron, defineCron } from "../src/cron/index.ts";
import { Host, silentLogger } from "../src/hosting/index.ts";
import { createJobs, type JobStore } from "../src/jobs/index.ts";
import { postgresStore } from "../src/stores/postgres/index.ts";
import { sqliteStore } from "../src/stores/sqlite/index.ts";

const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const REDIS = { host: "127.0.0.1", port: 6379 } as const;

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const cronCounts = (flag("crons") ?? "10,100").split(",").map(Number);
const seconds = Number(flag("seconds") ?? 5);
const runs = Number(flag("runs") ?? 3);
const only = flag("only")?.split(",");
const dir = mkdtempSync(join(tmpdir(), "errand-cron-bench-"));

/** `onRun(tick)` is called at the start of each handler with the tick it runs for (epoch ms). */
type OnRun = (tick: number) => void;

interface CronBenchSystem {
  id: string;
  label: string;
  durability: string;
  /** Starts `crons` every-second schedules; resolves to a function that stops and cleans up. */
  start(crons: number, onRun: OnRun): Promise<() => Promise<void>>;
}

/** Systems that do not pass the tick to the handler: the whole second it fired in (runs are < 1 s late here). */
const tickOfNow = () => Math.floor(Date.now() / 1000) * 1000;

function errandSystem(store: "sqlite" | "postgres"): CronBenchSystem {
  return {
    id: `errand:${store}`,
    label: `Errand cron (${store === "sqlite" ? "SQLite" : "PostgreSQL"}), a durable job per tick`,
    durability: store === "sqlite" ? "SQLite WAL, synchronous=NORMAL" : "PostgreSQL, every commit flushed",
    async start(count, onRun) {
      const schema = `errand_bench_cron_${Date.now().toString(36)}`;
      const jobStore: JobStore<unknown> =
        store === "sqlite"
          ? sqliteStore({ path: join(dir, `${schema}.db`) })
          : postgresStore({ url: POSTGRES_URL, schema });
      const crons = Array.from({ length: count }, (_, i) =>
        defineCron({ name: `c${i}`, schedule: "* * * * * *", handler: ({ tick }) => onRun(tick.getTime()) }),
      );
      const jobs = createJobs({ store: jobStore, jobs: crons.map((c) => c.job), logger: silentLogger });
      const host = new Host({
        services: [jobs, createCron({ jobs, crons, logger: silentLogger })],
        logger: silentLogger,
      });
      await host.start();
      return async () => {
        await host.stop();
        await jobStore.close();
        if (store === "postgres") {
          const client = new pg.Client(POSTGRES_URL);
          await client.connect();
          await client.query(`drop schema if exists "${schema}" cascade`);
          await client.end();
        }
      };
    },
  };
}

const cronerSystem: CronBenchSystem = {
  id: "croner",
  label: "croner 11 timers in-process (no store: every instance runs every tick)",
  durability: "none (in memory)",
  async start(count, onRun) {
    const timers = Array.from({ length: count }, () => new Cron("* * * * * *", () => onRun(tickOfNow())));
    return async () => {
      for (const timer of timers) timer.stop();
    };
  },
};

const bullmqSystem: CronBenchSystem = {
  id: "bullmq",
  label: "BullMQ 6.7 job schedulers (Redis), worker concurrency 100",
  durability: "Redis, no persistence configured here",
  async start(count, onRun) {
    const name = `cronbench_${Date.now().toString(36)}`;
    const queue = new BullQueue(name, { connection: REDIS });
    for (let i = 0; i < count; i++)
      await queue.upsertJobScheduler(`c${i}`, { pattern: "* * * * * *" }, { name: "tick" });
    const worker = new BullWorker(name, async () => onRun(tickOfNow()), {
      connection: { ...REDIS, maxRetriesPerRequest: null },
      concurrency: 100,
      removeOnComplete: { count: 1000 },
    });
    await worker.waitUntilReady();
    return async () => {
      await worker.close(true);
      await queue.obliterate({ force: true });
      await queue.close();
    };
  },
};

const bunqueueSystem: CronBenchSystem = {
  id: "bunqueue",
  label: "bunqueue 2.9.5 job schedulers (embedded SQLite), concurrency 100",
  durability: "SQLite, 10 ms write buffer",
  async start(count, onRun) {
    const name = `cronbench_${Date.now().toString(36)}`;
    const dataPath = join(dir, "bunqueue.db");
    const queue = new BunQueue(name, { embedded: true, dataPath, defaultJobOptions: { removeOnComplete: true } });
    for (let i = 0; i < count; i++)
      await queue.upsertJobScheduler(`c${i}`, { pattern: "* * * * * *" }, { name: "tick" });
    const worker = new BunWorker(name, async () => onRun(tickOfNow()), { embedded: true, dataPath, concurrency: 100 });
    return async () => {
      for (let i = 0; i < count; i++) await queue.removeJobScheduler(`c${i}`);
      await worker.close();
      queue.obliterate();
      queue.close();
    };
  },
};

interface Sample {
  p50: number;
  p99: number;
  max: number;
  /** Runs observed / runs owed over the measured seconds. */
  completeness: number;
}

async function measure(system: CronBenchSystem, crons: number): Promise<Sample> {
  const lateness: number[] = [];
  let measuring = false;
  let from = 0;
  let until = 0;
  const stop = await system.start(crons, (tick) => {
    if (measuring && tick >= from && tick <= until) lateness.push(Date.now() - tick);
  });
  // The first whole second after start is warm-up; then `seconds` ticks are measured.
  from = (Math.floor(Date.now() / 1000) + 2) * 1000;
  until = from + (seconds - 1) * 1000;
  measuring = true;
  await Bun.sleep(until + 1500 - Date.now());
  measuring = false;
  await stop();
  lateness.sort((a, b) => a - b);
  const at = (q: number) => lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? NaN;
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: lateness.at(-1) ?? NaN,
    completeness: lateness.length / (crons * seconds),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const systems = [errandSystem("sqlite"), errandSystem("postgres"), cronerSystem, bullmqSystem, bunqueueSystem].filter(
  (s) => !only || only.some((o) => s.id.startsWith(o)),
);

const rows: string[][] = [];
for (const crons of cronCounts) {
  for (const system of systems) {
    console.error(`… ${system.id}, ${crons} schedules`);
    const samples: Sample[] = [];
    for (let r = 0; r < runs; r++) samples.push(await measure(system, crons));
    const pick = (key: keyof Sample) => median(samples.map((s) => s[key]));
    rows.push([
      system.label,
      String(crons),
      pick("p50").toFixed(1),
      pick("p99").toFixed(1),
      pick("max").toFixed(1),
      `${(pick("completeness") * 100).toFixed(0)}%`,
      system.durability,
    ]);
  }
}
shutdownManager();
rmSync(dir, { recursive: true, force: true });

const header = ["system", "schedules", "tick→start p50 ms", "p99 ms", "max ms", "runs / owed", "durability"];
console.log(`\nEvery-second schedules, ${seconds} s measured, median of ${runs} runs\n`);
console.log(`| ${header.join(" | ")} |`);
console.log(`|${header.map(() => "---").join("|")}|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
console.log(
  "\npg-boss 12 (schedule) and graphile-worker 0.18 (crontab): minute resolution, not comparable every second.",
);
process.exit(0);
