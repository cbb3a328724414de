// Flows, `after` and a workflow with a sleep and an event, end to end on PostgreSQL (the in-process
// tests in workflows.test.ts run on SQLite and memory; the crash tests in workflow-crash.test.ts).
import "../support/postgres.ts";
import { afterAll, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/node-postgres";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob, defineWorkflow, type JobRecord } from "../../src/jobs/index.ts";
import { postgresStore } from "../../src/stores/postgres/index.ts";
import { dropSchema, testClient, testSchema } from "../stores/postgres/pg-test-db.ts";
import { until } from "./helpers.ts";

const pool = testClient(4);
afterAll(() => pool.end());

test("PostgreSQL: a flow, an after job and a sleeping, waiting workflow; a flow in a rolled-back tx leaves nothing", async () => {
  const schema = testSchema("wfe2e");
  const store = postgresStore({ pool, schema });
  const seen: JobRecord[][] = [];
  const child = defineJob({ name: "c", payload: t.Object({ n: t.Number() }), handler: async ({ n }) => n * 2 });
  const parent = defineJob({
    name: "p",
    payload: t.Object({}),
    handler: async (_, ctx) => void seen.push(await ctx.children()),
  });
  const wf = defineWorkflow({
    name: "wf",
    payload: t.Object({ id: t.String() }),
    run: async ({ id }, step) => {
      const a = await step.run("a", () => 1);
      await step.sleep("nap", 100);
      const e = await step.waitForEvent<number>("e", { event: `go:${id}`, timeoutMs: 30_000 });
      return a + (e ?? 0);
    },
  });
  const jobs = createJobs({ store, jobs: [child, parent, wf], logger: silentLogger, pollIntervalMs: 100 });
  await jobs.start(new AbortController().signal);
  try {
    const flow = await jobs.enqueueFlow({
      job: parent,
      payload: {},
      children: [1, 2, 3].map((n) => ({ job: child, payload: { n } })),
    });
    const then = await jobs.enqueue(child, { n: 10 }, { after: flow.id });
    const run = await jobs.enqueue(wf, { id: "x" });
    await until(async () => (await jobs.get(run))?.state === "scheduled", "the workflow parked");
    await jobs.sendEvent("go:x", 41);
    await until(async () => (await jobs.get(then))?.state === "succeeded", "the after job");
    expect(seen[0]!.map((c) => c.result)).toEqual([2, 4, 6]);
    expect((await jobs.get(then))!.finishedAt!).toBeGreaterThanOrEqual((await jobs.get(flow.id))!.finishedAt!);
    await until(async () => (await jobs.get(run))?.state === "succeeded", "the workflow");
    expect((await jobs.get(run))!.result).toBe(42);

    const db = drizzle({ client: pool });
    const before = (await jobs.list({ limit: 100 })).jobs.length;
    await expect(
      db.transaction(async (tx) => {
        await jobs.enqueueFlow({ job: parent, payload: {}, children: [{ job: child, payload: { n: 1 } }] }, { tx });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect((await jobs.list({ limit: 100 })).jobs.length).toBe(before);
  } finally {
    await jobs.stop(AbortSignal.timeout(5_000));
    await store.close();
    await dropSchema(pool, schema);
  }
}, 30_000);

test("PostgreSQL: a step's object reads back with its keys in order on replay, as the payload and result do", async () => {
  const schema = testSchema("wfkeys");
  const store = postgresStore({ pool, schema });
  const seen: string[][] = [];
  const wf = defineWorkflow({
    name: "keys",
    payload: t.Object({ zzzz: t.Number(), a: t.Number() }),
    run: async (payload, step) => {
      const x = await step.run("x", () => ({ zzzz: 1, a: 2 }));
      seen.push(Object.keys(x));
      await step.sleep("nap", 10);
      return { ...x, payloadKeys: Object.keys(payload) };
    },
  });
  const jobs = createJobs({ store, jobs: [wf], logger: silentLogger, pollIntervalMs: 50 });
  await jobs.start(new AbortController().signal);
  try {
    const run = await jobs.enqueue(wf, { zzzz: 1, a: 2 });
    await until(async () => (await jobs.get(run))?.state === "succeeded", "the workflow");
    // First run, then the replay after the sleep: the same keys in the same order.
    expect(seen).toEqual([
      ["zzzz", "a"],
      ["zzzz", "a"],
    ]);
    const record = (await jobs.get(run))!;
    expect(Object.keys(record.payload as object)).toEqual(["zzzz", "a"]);
    expect(Object.keys(record.result as object)).toEqual(["zzzz", "a", "payloadKeys"]);
    expect((record.result as { payloadKeys: string[] }).payloadKeys).toEqual(["zzzz", "a"]);
  } finally {
    await jobs.stop(AbortSignal.timeout(5_000));
    await store.close();
    await dropSchema(pool, schema);
  }
}, 30_000);
