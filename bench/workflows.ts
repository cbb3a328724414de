/**
 * Workflows side by side, one run, one machine:
 * 1. workflows/s for a 10-step workflow whose steps do nothing: Errand on SQLite and on PostgreSQL, and
 *    DBOS Transact 5.3 (run under Node, which it needs) on the same PostgreSQL server;
 * 2. N workflows sleeping until their own time (spread over 5 s), and how late each one woke (p50/p99);
 * 3. flows of a parent and 10 children: Errand vs BullMQ's FlowProducer.
 *
 *   bun bench/workflows.ts                       # everything
 *   bun bench/workflows.ts --n 500 --sleepers 10000 --flows 200 --only steps,sleep,flows
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlowProducer, Worker } from "bullmq";
import { t } from "elysia";
import { silentLogger } from "../src/hosting/index.ts";
import { createJobs, defineJob, defineWorkflow, type JobStore } from "../src/jobs/index.ts";
import { postgresStore } from "../src/stores/postgres/index.ts";
import { sqliteStore } from "../src/stores/sqlite/index.ts";
import { dropSchema } from "./lib/jobs-pgboss.ts";
import { POSTGRES_URL, REDIS, uniqueName } from "./lib/jobs-system.ts";
import { markdownTable, median } from "./lib/table.ts";

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const n = Number(flag("n") ?? 500);
const sleepers = Number(flag("sleepers") ?? 10_000);
const flows = Number(flag("flows") ?? 200);
const only = (flag("only") ?? "steps,sleep,flows").split(",");
const dir = mkdtempSync(join(tmpdir(), "errand-wf-bench-"));

const durability = {
  sqlite:
    "SQLite WAL, synchronous=NORMAL: each step's result committed before the next step (survives a process crash)",
  postgres:
    "each step's result committed with fsync (synchronous_commit on) before the next step; claim/complete async commit",
  dbos: "each step's output committed with fsync (DBOS defaults) before the next step",
} as const;

interface Store {
  label: string;
  store: JobStore<unknown>;
  cleanup(): Promise<void>;
}

function sqlite(): Store {
  const store = sqliteStore({ path: join(dir, `${uniqueName("wf")}.db`) });
  return { label: "Errand (SQLite)", store: store as JobStore<unknown>, cleanup: () => store.close() };
}

function postgres(): Store {
  const schema = uniqueName("bench_wf");
  const store = postgresStore({ url: POSTGRES_URL, schema });
  return {
    label: "Errand (PostgreSQL)",
    store: store as JobStore<unknown>,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

async function untilCount(store: JobStore<unknown>, state: string, count: number, capMs = 300_000): Promise<void> {
  const deadline = Date.now() + capMs;
  for (;;) {
    const have = (await store.counts()).filter((c) => c.state === state).reduce((sum, c) => sum + c.count, 0);
    if (have >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${have} of ${count} ${state} after ${capMs} ms`);
    await Bun.sleep(20);
  }
}

// 1. Ten no-op steps.
const tenSteps = defineWorkflow({
  name: "bench.ten",
  payload: t.Object({ i: t.Number() }),
  run: async ({ i }, step) => {
    for (let s = 0; s < 10; s++) await step.run(`step-${s}`, async () => i + s);
    return i;
  },
});

async function errandSteps(open: () => Store, executors: number): Promise<number> {
  const { store, cleanup } = open();
  const jobs = createJobs({ store, jobs: [tenSteps], logger: silentLogger, executors });
  try {
    await jobs.start(new AbortController().signal);
    const started = performance.now();
    await jobs.enqueueMany(
      tenSteps,
      Array.from({ length: n }, (_, i) => ({ payload: { i } })),
    );
    await untilCount(store, "succeeded", n);
    return (n / (performance.now() - started)) * 1000;
  } finally {
    await jobs.stop(AbortSignal.timeout(5_000));
    await cleanup();
  }
}

async function dbosSteps(mode: "direct" | "queue"): Promise<number> {
  const url = POSTGRES_URL.replace(/\/[^/]*$/, "/errand_bench_dbos");
  const script = new URL("./lib/workflows-dbos.mjs", import.meta.url).pathname;
  const child = Bun.spawn(["node", script, url, String(n), mode], { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`DBOS (${mode}) failed: ${out}`);
  const { ms } = JSON.parse(out.trim().split("\n").at(-1)!) as { ms: number };
  return (n / ms) * 1000;
}

// 2. Sleepers.
const lateness: number[] = [];
const sleeper = defineWorkflow({
  name: "bench.sleeper",
  payload: t.Object({ at: t.Number() }),
  run: async ({ at }, step) => {
    await step.sleepUntil("until", new Date(at));
    lateness.push(Date.now() - at); // outside a step on purpose: it is measured on the run that woke
  },
});

async function errandSleepers(open: () => Store, leadMs: number): Promise<string[]> {
  const { label, store, cleanup } = open();
  const jobs = createJobs({ store, jobs: [sleeper], logger: silentLogger, executors: 50, channelCapacity: 1000 });
  lateness.length = 0;
  try {
    await jobs.start(new AbortController().signal);
    const base = Date.now() + leadMs;
    for (let from = 0; from < sleepers; from += 1000) {
      const count = Math.min(1000, sleepers - from);
      await jobs.enqueueMany(
        sleeper,
        Array.from({ length: count }, (_, k) => ({ payload: { at: base + ((from + k) % 5000) } })),
      );
    }
    await untilCount(store, "scheduled", sleepers, leadMs);
    const parkedBy = Date.now();
    await untilCount(store, "succeeded", sleepers);
    const sorted = [...lateness].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    const early = sorted.filter((ms) => ms < 0).length;
    return [
      label,
      String(sleepers),
      `${parkedBy < base ? "yes" : "NO"}`,
      `${pct(50)} ms`,
      `${pct(99)} ms`,
      `${sorted.at(-1)} ms`,
      String(early),
    ];
  } finally {
    await jobs.stop(AbortSignal.timeout(5_000));
    await cleanup();
  }
}

// 3. Flows: a parent and 10 children, all no-ops.
const child = defineJob({ name: "bench.child", payload: t.Object({ i: t.Number() }), handler: async ({ i }) => i });
const parent = defineJob({
  name: "bench.parent",
  payload: t.Object({ i: t.Number() }),
  handler: async ({ i }, ctx) => (await ctx.children()).length + i,
});

async function errandFlows(open: () => Store): Promise<number> {
  const { store, cleanup } = open();
  const jobs = createJobs({ store, jobs: [parent, child], logger: silentLogger, executors: 50 });
  try {
    await jobs.start(new AbortController().signal);
    const started = performance.now();
    for (let i = 0; i < flows; i++)
      await jobs.enqueueFlow({
        job: parent,
        payload: { i },
        children: Array.from({ length: 10 }, (_, c) => ({ job: child, payload: { i: c } })),
      });
    await untilCount(store, "succeeded", flows * 11);
    return (flows / (performance.now() - started)) * 1000;
  } finally {
    await jobs.stop(AbortSignal.timeout(5_000));
    await cleanup();
  }
}

async function bullmqFlows(): Promise<number> {
  const queueName = uniqueName("wfbench");
  const producer = new FlowProducer({ connection: REDIS });
  let done = 0;
  let resolve: () => void = () => {};
  const finished = new Promise<void>((r) => (resolve = r));
  const connection = { ...REDIS, maxRetriesPerRequest: null };
  const worker = new Worker(
    queueName,
    async (job) => (job.name === "parent" ? Object.keys(await job.getChildrenValues()).length : job.data.i),
    { connection, concurrency: 50, removeOnComplete: { count: 1000 } },
  );
  worker.on("completed", (job) => {
    if (job.name === "parent" && ++done === flows) resolve();
  });
  await worker.waitUntilReady();
  const started = performance.now();
  for (let i = 0; i < flows; i++)
    await producer.add({
      name: "parent",
      queueName,
      data: { i },
      children: Array.from({ length: 10 }, (_, c) => ({ name: "child", queueName, data: { i: c } })),
    });
  await finished;
  const perSecond = (flows / (performance.now() - started)) * 1000;
  await worker.close(true);
  await producer.close();
  return perSecond;
}

const format = (perSecond: number) => perSecond.toFixed(1);

try {
  if (only.includes("steps")) {
    const rows: string[][] = [];
    const runs = Number(flag("runs") ?? 3);
    const measure = async (label: string, how: string, run: () => Promise<number>) => {
      const results: number[] = [];
      for (let r = 0; r < runs; r++) results.push(await run());
      rows.push([label, how, format(median(results)), format(median(results) * 10), results.map(format).join(" / ")]);
    };
    await measure("Errand (SQLite)", durability.sqlite, () => errandSteps(sqlite, 10));
    await measure("Errand (SQLite), 50 executors", durability.sqlite, () => errandSteps(sqlite, 50));
    await measure("Errand (PostgreSQL)", durability.postgres, () => errandSteps(postgres, 10));
    await measure("Errand (PostgreSQL), 50 executors", durability.postgres, () => errandSteps(postgres, 50));
    await measure("DBOS Transact 5.3 (Node), startWorkflow", durability.dbos, () => dbosSteps("direct"));
    await measure("DBOS Transact 5.3 (Node), queue (workerConcurrency 50)", durability.dbos, () => dbosSteps("queue"));
    console.log(`\n10-step no-op workflows, ${n} per run, median of ${runs} runs\n`);
    console.log(markdownTable(["system", "durability", "workflows/s", "steps/s", "runs"], rows));
  }
  if (only.includes("sleep")) {
    const rows = [await errandSleepers(sqlite, 30_000), await errandSleepers(postgres, 60_000)];
    console.log(`\n${sleepers} workflows sleeping until their own time (spread over 5 s): how late each woke\n`);
    console.log(
      markdownTable(["store", "workflows", "all asleep before the first woke", "p50", "p99", "max", "early"], rows),
    );
  }
  if (only.includes("flows")) {
    const rows = [
      ["Errand (SQLite), 50 executors", format(await errandFlows(sqlite))],
      ["Errand (PostgreSQL), 50 executors", format(await errandFlows(postgres))],
      ["BullMQ 6.7 FlowProducer (Redis), concurrency 50", format(await bullmqFlows())],
    ];
    console.log(`\nFlows of a parent and 10 children (no-op handlers), ${flows} flows, enqueued one by one\n`);
    console.log(markdownTable(["system", "flows/s (11 jobs each)"], rows));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
