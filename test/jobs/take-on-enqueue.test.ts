// Taking a job on enqueue (PostgreSQL): a due job enqueued outside a transaction by a process with an
// idle executor is stored already claimed by it and starts without a claim; anything else — more jobs
// than idle executors, a name with a concurrency limit, an enqueue in the caller's transaction, a key
// that matched an existing job — goes through the dispatcher's claim as before. Every job runs once.
import "../support/postgres.ts";
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/node-postgres";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import { type AnyJobDefinition, createJobs, defineJob, type JobStore, type Jobs } from "../../src/jobs/index.ts";
import { type PostgresTx, postgresStore } from "../../src/stores/postgres/index.ts";
import { dropSchema, testClient, testSchema } from "../stores/postgres/pg-test-db.ts";
import { until } from "./helpers.ts";

const pool = testClient(6);
const schema = testSchema("take");
const store = postgresStore({ pool, schema });
beforeAll(() => store.init());
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

/**
 * The store, counting the jobs the dispatcher's claims returned: a job taken on enqueue is not among them.
 * `pausedReadMs` delays every read of the pauses, as on a busy database.
 */
function counting(inner: JobStore<PostgresTx>, pausedReadMs = 0) {
  const counter = { claimed: 0 };
  const claim: JobStore<PostgresTx>["claim"] = async (options) => {
    const jobs = await inner.claim(options);
    counter.claimed += jobs.length;
    return jobs;
  };
  // The store keeps its state in private fields: its methods run on the store itself.
  const wrapped = new Proxy(inner, {
    get(target, prop) {
      if (prop === "claim") return claim;
      if (prop === "paused" && pausedReadMs > 0)
        return async () => {
          const pauses = await target.paused();
          await Bun.sleep(pausedReadMs);
          return pauses;
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: wrapped, counter };
}

let running: Jobs<PostgresTx> | undefined;
afterEach(async () => {
  await running?.stop(AbortSignal.timeout(5_000));
  running = undefined;
});

async function start(jobs: AnyJobDefinition[], executors = 10, pausedReadMs = 0) {
  const { store: wrapped, counter } = counting(store, pausedReadMs);
  // A long poll: only the enqueue's wake or a NOTIFY makes the dispatcher claim.
  const service = createJobs<PostgresTx>({
    store: wrapped,
    jobs,
    logger: silentLogger,
    executors,
    pollIntervalMs: 60_000,
  });
  await service.start(new AbortController().signal);
  running = service;
  return { jobs: service, counter };
}

let seq = 0;
const uniqueName = (base: string) => `${base}.${++seq}.${Date.now().toString(36)}`;

test("an idle worker's job is stored running under its lease and starts without a claim", async () => {
  const seen: { state: string | undefined; lockedBy: string | null | undefined; attempts: number | undefined }[] = [];
  const probe = defineJob({
    name: uniqueName("take.probe"),
    payload: t.Object({ i: t.Number() }),
    handler: async (_payload, ctx) => {
      const record = await store.get(ctx.job.id);
      seen.push({ state: record?.state, lockedBy: record?.lockedBy, attempts: record?.attempts });
    },
  });
  const { jobs, counter } = await start([probe]);
  for (let i = 0; i < 5; i++) {
    await jobs.enqueue(probe, { i });
    await until(() => seen.length === i + 1, `job ${i} to start`);
  }
  expect(seen).toEqual(Array.from({ length: 5 }, () => ({ state: "running", lockedBy: jobs.workerId, attempts: 1 })));
  expect(counter.claimed).toBe(0);
  await until(async () => (await jobs.counts()).byState.succeeded === 5, "the outcomes to be written");
});

test("never more jobs taken than idle executors: the rest are claimed, and each job runs once", async () => {
  const started: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow = defineJob({
    name: uniqueName("take.slow"),
    payload: t.Object({ i: t.Number() }),
    handler: async ({ i }) => {
      started.push(i);
      await gate;
    },
  });
  const { jobs, counter } = await start([slow], 2);
  await Promise.all(Array.from({ length: 50 }, (_, i) => jobs.enqueue(slow, { i })));
  await until(() => started.length === 2, "two jobs to start");
  release();
  await until(() => started.length === 50, "every job to start");
  expect(new Set(started).size).toBe(50);
  expect(counter.claimed).toBeGreaterThanOrEqual(48);
  await until(async () => (await jobs.counts()).byName[slow.name]?.succeeded === 50, "every outcome");
});

test("a name with a concurrency limit is never taken on enqueue", async () => {
  let runs = 0;
  const limited = defineJob({
    name: uniqueName("take.limited"),
    payload: t.Object({}),
    concurrency: 1,
    handler: () => void runs++,
  });
  const { jobs, counter } = await start([limited]);
  for (let i = 0; i < 3; i++) await jobs.enqueue(limited, {});
  await until(() => runs === 3, "three runs");
  expect(counter.claimed).toBe(3);
});

test("a job enqueued once pause() has resolved is not taken: the pause is in force here before it is read back", async () => {
  const started: string[] = [];
  const byName = defineJob({
    name: uniqueName("take.paused"),
    payload: t.Object({ n: t.String() }),
    handler: (p) => void started.push(p.n),
  });
  const queue = uniqueName("take.queue");
  const byQueue = defineJob({
    name: uniqueName("take.paused-queue"),
    queue,
    payload: t.Object({ n: t.String() }),
    handler: (p) => void started.push(p.n),
  });
  // Reading the pauses back takes 200 ms: only this process's own record of its pause can hold the jobs.
  const { jobs } = await start([byName, byQueue], 10, 200);
  for (let round = 0; round < 5; round++) {
    await jobs.pause({ name: byName.name });
    await jobs.pause({ queue });
    await jobs.enqueue(byName, { n: `name ${round}` });
    await jobs.enqueue(byQueue, { n: `queue ${round}` });
    await Bun.sleep(30);
    expect(started).toEqual([]);
    await jobs.resume({ name: byName.name });
    await jobs.resume({ queue });
    await until(() => started.length === 2, "the resumed jobs", 10_000);
    started.length = 0;
  }
}, 30_000);

test("a job enqueued in the caller's transaction is not taken: it exists only once that commits", async () => {
  let runs = 0;
  const inTx = defineJob({ name: uniqueName("take.tx"), payload: t.Object({}), handler: () => void runs++ });
  const { jobs, counter } = await start([inTx]);
  const db = drizzle({ client: pool });
  await db.transaction(async (tx) => {
    await jobs.enqueue(inTx, {}, { tx });
  });
  await until(() => runs === 1, "the run");
  expect(counter.claimed).toBe(1);
});

test("a key that matched an existing job gives its slot back", async () => {
  let runs = 0;
  const keyed = defineJob({ name: uniqueName("take.keyed"), payload: t.Object({}), handler: () => void runs++ });
  const { jobs, counter } = await start([keyed], 1);
  const key = `k-${seq}`;
  const first = await jobs.enqueue(keyed, {}, { key });
  await until(() => runs === 1, "the first run");
  expect(await jobs.enqueue(keyed, {}, { key })).toBe(first);
  // The one executor is idle again: had the matched key kept its slot, this job would need a claim.
  await until(async () => (await jobs.counts()).byName[keyed.name]?.succeeded === 1, "the first outcome");
  await jobs.enqueue(keyed, {});
  await until(() => runs === 2, "the second run");
  expect(counter.claimed).toBe(0);
});
