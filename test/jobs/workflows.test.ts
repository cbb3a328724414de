// Flows, `after` and durable workflows end to end on a running Jobs service (SQLite and memory; the
// store operations themselves are in the contract suite, PostgreSQL included; crashes in
// workflow-crash.test.ts).
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import {
  createJobs,
  defineJob,
  defineWorkflow,
  type JobEvent,
  type JobRecord,
  type WorkflowStep,
} from "../../src/jobs/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";
import { describeOnEachStore, startJobs, until } from "./helpers.ts";

const done = async (jobs: { get(id: string): Promise<JobRecord | null> }, id: string, state = "succeeded") =>
  until(async () => (await jobs.get(id))?.state === state, `job ${id} ${state}`);

describeOnEachStore("workflows", () => {
  test("finished steps are not run again after a sleep; the sleep gives the attempt back", async () => {
    const runs: string[] = [];
    const wf = defineWorkflow({
      name: "wf.sleep",
      payload: t.Object({ n: t.Number() }),
      attempts: 1,
      run: async ({ n }, step) => {
        const a = await step.run("a", () => {
          runs.push("a");
          return { v: n * 2 };
        });
        await step.sleep("nap", 150);
        const b = await step.run("b", () => {
          runs.push("b");
          return a.v + 1;
        });
        return b;
      },
    });
    const { jobs, stop } = await startJobs([wf]);
    try {
      const started = Date.now();
      const id = await jobs.enqueue(wf, { n: 20 });
      await until(async () => (await jobs.get(id))?.state === "scheduled", "the sleep");
      expect(jobs.buffered).toBe(0);
      await done(jobs, id);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(runs).toEqual(["a", "b"]);
      expect((await jobs.get(id))!).toMatchObject({ attempts: 1, result: 41 });
      const steps = await jobs.store.steps(id);
      expect(steps.map((s) => [s.id, s.result])).toEqual([
        ["a", { v: 40 }],
        ["nap", { until: expect.any(Number) }],
        ["b", 41],
      ]);
    } finally {
      await stop();
    }
  });

  test("many workflows sleeping until different times each wake on time, not at the next poll", async () => {
    const late: number[] = [];
    const wf = defineWorkflow({
      name: "wf.sleepers",
      payload: t.Object({ at: t.Number() }),
      run: async ({ at }, step) => {
        await step.sleepUntil("until", new Date(at));
        late.push(Date.now() - at);
      },
    });
    const { jobs, stop } = await startJobs([wf], { pollIntervalMs: 60_000 });
    try {
      const base = Date.now() + 300;
      await jobs.enqueueMany(
        wf,
        Array.from({ length: 20 }, (_, i) => ({ payload: { at: base + i * 20 } })),
      );
      await until(async () => (await jobs.counts()).byState.succeeded === 20, "every sleeper", 5_000);
      // Woken by this process's timers: a poll would have come 60 s later.
      expect(Math.max(...late)).toBeLessThan(1_000);
      expect(Math.min(...late)).toBeGreaterThanOrEqual(0);
    } finally {
      await stop();
    }
  });

  test("a step that throws is retried; the steps before it are replayed from the store", async () => {
    let aRuns = 0;
    let bRuns = 0;
    const wf = defineWorkflow({
      name: "wf.retry",
      payload: t.Object({}),
      backoff: () => 10,
      run: async (_, step) => {
        await step.run("a", () => void aRuns++);
        await step.run("b", () => {
          bRuns++;
          if (bRuns < 3) throw new Error("flaky");
        });
      },
    });
    const { jobs, stop } = await startJobs([wf]);
    try {
      const id = await jobs.enqueue(wf, {});
      await done(jobs, id);
      expect([aRuns, bRuns]).toEqual([1, 3]);
      expect((await jobs.get(id))!.errors.map((e) => e.message)).toEqual(["flaky", "flaky"]);
    } finally {
      await stop();
    }
  });

  test("a repeated step id is a DuplicateStepError: dead at once", async () => {
    const wf = defineWorkflow({
      name: "wf.dup",
      payload: t.Object({}),
      run: async (_, step) => {
        await step.run("same", () => 1);
        await step.run("same", () => 2);
      },
    });
    const { jobs, stop } = await startJobs([wf]);
    try {
      const id = await jobs.enqueue(wf, {});
      await done(jobs, id, "dead");
      const [error] = (await jobs.get(id))!.errors;
      expect(error).toMatchObject({ name: "DuplicateStepError", attempt: 1 });
      expect(error!.message).toContain('step id "same" twice');
    } finally {
      await stop();
    }
  });

  test("a step called with bad arguments is an InvalidStepError: dead at once, saying what was given", async () => {
    const calls: Record<string, (step: WorkflowStep) => Promise<unknown>> = {
      sleep: (step) => step.sleep("nap", -1),
      until: (step) => step.sleepUntil("later", new Date(Number.NaN)),
      wait: (step) => step.waitForEvent("ship", { event: "shipped", timeoutMs: -1 }),
      event: (step) => step.waitForEvent("ship", { event: "" }),
    };
    const wf = defineWorkflow({
      name: "wf.bad-step",
      payload: t.Object({ call: t.String() }),
      run: async ({ call }, step) => void (await calls[call]!(step)),
    });
    const { jobs, stop } = await startJobs([wf]);
    try {
      const expected = { sleep: "got -1", until: "an invalid Date", wait: "got -1", event: 'got the string ""' };
      for (const [call, shown] of Object.entries(expected)) {
        const id = await jobs.enqueue(wf, { call });
        await done(jobs, id, "dead");
        const [error] = (await jobs.get(id))!.errors;
        expect(error).toMatchObject({ name: "InvalidStepError", attempt: 1 });
        expect(error!.message).toContain(shown);
      }
    } finally {
      await stop();
    }
  });

  test("a different order on replay is a NonDeterministicWorkflowError", async () => {
    let first = true;
    const wf = defineWorkflow({
      name: "wf.nondet",
      payload: t.Object({}),
      run: async (_, step) => {
        const order = first ? ["x", "y"] : ["y", "x"];
        first = false;
        await step.run(order[0]!, () => 1);
        await step.sleep("nap", 1);
        await step.run(order[1]!, () => 2);
      },
    });
    const { jobs, stop } = await startJobs([wf]);
    try {
      const id = await jobs.enqueue(wf, {});
      await done(jobs, id, "dead");
      expect((await jobs.get(id))!.errors[0]!.name).toBe("NonDeterministicWorkflowError");
    } finally {
      await stop();
    }
  });

  test("waitForEvent: resumed by sendEvent with its data; an early event is kept; a timeout gives null", async () => {
    const got: unknown[] = [];
    const wf = defineWorkflow({
      name: "wf.wait",
      payload: t.Object({ event: t.String(), timeoutMs: t.Number() }),
      run: async ({ event, timeoutMs }, step) => {
        got.push(await step.waitForEvent("w", { event, timeoutMs }));
      },
    });
    const { jobs, stop } = await startJobs([wf]);
    try {
      const waiting = await jobs.enqueue(wf, { event: "e1", timeoutMs: 60_000 });
      await until(async () => (await jobs.get(waiting))?.state === "scheduled", "the wait");
      expect(await jobs.sendEvent("e1", { ok: 1 })).toBe(1);
      await done(jobs, waiting);
      const early = await jobs.enqueue(wf, { event: "e2", timeoutMs: 60_000 }, { delayMs: 100 });
      await jobs.sendEvent("e2", "early");
      await done(jobs, early);
      const timesOut = await jobs.enqueue(wf, { event: "never", timeoutMs: 100 });
      await done(jobs, timesOut);
      expect(got).toEqual([{ ok: 1 }, "early", null]);
    } finally {
      await stop();
    }
  });

  test("waitForEvent with match: skips events whose data does not match, early or late", async () => {
    const wf = defineWorkflow({
      name: "wf.match",
      payload: t.Object({ want: t.Number() }),
      run: async ({ want }, step) =>
        step.waitForEvent<{ n: number }>("w", { event: "numbers", match: (data) => data.n === want }),
    });
    const { jobs, stop } = await startJobs([wf]);
    try {
      await jobs.sendEvent("numbers", { n: 1 });
      const id = await jobs.enqueue(wf, { want: 3 });
      await until(async () => (await jobs.get(id))?.state === "scheduled", "the wait");
      await jobs.sendEvent("numbers", { n: 2 });
      await until(async () => (await jobs.store.steps(id))[0]?.result !== undefined, "the wait's step");
      await Bun.sleep(100);
      expect((await jobs.get(id))!.state).toBe("scheduled");
      await jobs.sendEvent("numbers", { n: 3 });
      await done(jobs, id);
      expect((await jobs.get(id))!.result).toEqual({ n: 3 });
    } finally {
      await stop();
    }
  });

  test("1,000 workflows waiting on distinct events hold no executor; each event resumes its own", async () => {
    const wf = defineWorkflow({
      name: "wf.many",
      payload: t.Object({ i: t.Number() }),
      run: async ({ i }, step) => step.waitForEvent("w", { event: `go:${i}` }),
    });
    const { jobs, stop } = await startJobs([wf], { executors: 4 });
    try {
      const ids = await jobs.enqueueMany(
        wf,
        Array.from({ length: 1000 }, (_, i) => ({ payload: { i } })),
      );
      await until(async () => (await jobs.counts()).byState.scheduled === 1000, "1,000 parked", 20_000);
      expect((await jobs.counts()).byState.running).toBe(0);
      expect(jobs.buffered).toBe(0);
      for (let i = 0; i < 1000; i++) await jobs.sendEvent(`go:${i}`, i);
      await until(async () => (await jobs.counts()).byState.succeeded === 1000, "1,000 resumed", 20_000);
      const steps = await jobs.store.steps(ids[999]!);
      expect(steps[0]!.result).toEqual({ data: 999 });
    } finally {
      await stop();
    }
  });
});

describeOnEachStore("flows and after", () => {
  const child = defineJob({
    name: "flow.child",
    payload: t.Object({ n: t.Number(), fail: t.Optional(t.Boolean()) }),
    attempts: 1,
    handler: async ({ n, fail }) => {
      await Bun.sleep(10 * n);
      if (fail) throw new Error(`child ${n} failed`);
      return n * 10;
    },
  });

  const parentFor = (name: string, seen: { children: JobRecord[]; at: number }[]) =>
    defineJob({
      name,
      payload: t.Object({}),
      handler: async (_, ctx) => {
        seen.push({ children: await ctx.children(), at: Date.now() });
      },
    });

  test("a parent runs after its last child and sees the children", async () => {
    const seen: { children: JobRecord[]; at: number }[] = [];
    const parent = parentFor("flow.parent", seen);
    const { jobs, stop } = await startJobs([parent, child]);
    try {
      const flow = await jobs.enqueueFlow({
        job: parent,
        payload: {},
        children: [1, 2, 3].map((n) => ({ job: child, payload: { n } })),
      });
      expect(flow.children).toHaveLength(3);
      await done(jobs, flow.id);
      const children = await Promise.all(flow.children.map((c) => jobs.get(c.id)));
      const lastChild = Math.max(...children.map((c) => c!.finishedAt!));
      expect(seen).toHaveLength(1);
      expect(seen[0]!.at).toBeGreaterThanOrEqual(lastChild);
      expect(seen[0]!.children.map((c) => [c.id, c.state, c.result])).toEqual(
        flow.children.map((c, i) => [c.id, "succeeded", (i + 1) * 10]),
      );
    } finally {
      await stop();
    }
  });

  test("a dead child makes the parent dead; with continue the parent runs and sees it", async () => {
    const seen: { children: JobRecord[]; at: number }[] = [];
    const parent = parentFor("flow.parent2", seen);
    const { jobs, stop } = await startJobs([parent, child]);
    try {
      const kids = [1, 2, 3].map((n) => ({ job: child, payload: { n, fail: n === 2 } }));
      const failing = await jobs.enqueueFlow({ job: parent, payload: {}, children: kids });
      const going = await jobs.enqueueFlow({ job: parent, payload: {}, children: kids, onChildFailure: "continue" });
      await done(jobs, failing.id, "dead");
      expect((await jobs.get(failing.id))!.errors.at(-1)!.message).toContain(
        `Child job ${failing.children[1]!.id} (flow.child) ended dead`,
      );
      await done(jobs, going.id);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.children.map((c) => c.state)).toEqual(["succeeded", "dead", "succeeded"]);
    } finally {
      await stop();
    }
  });

  test("a retried keyed flow returns the stored flow and writes nothing; enqueued names the parent only", async () => {
    const parent = parentFor("flow.parent.keyed", []);
    const { jobs, stop } = await startJobs([parent, child]);
    try {
      const spec = {
        job: parent,
        payload: {},
        key: "order-1",
        children: [1, 2].map((n) => ({ job: child, payload: { n } })),
      };
      const first = await jobs.enqueueFlow(spec);
      const enqueued: unknown[] = [];
      const listener = (e: Event) => void enqueued.push((e as JobEvent<"enqueued">).detail.created);
      jobs.events.addEventListener("enqueued", listener);
      const again = await jobs.enqueueFlow(spec);
      jobs.events.removeEventListener("enqueued", listener);
      expect(again).toEqual(first);
      expect(enqueued).toEqual([false]);
      expect((await jobs.children(first.id)).map((c) => c.id)).toEqual(first.children.map((c) => c.id));
      expect((await jobs.list({ name: "flow.child" })).jobs).toHaveLength(2);
    } finally {
      await stop();
    }
  });

  test("nested flows: the grandparent waits for the middle parent", async () => {
    const seen: { children: JobRecord[]; at: number }[] = [];
    const parent = parentFor("flow.parent3", seen);
    const { jobs, stop } = await startJobs([parent, child]);
    try {
      const flow = await jobs.enqueueFlow({
        job: parent,
        payload: {},
        children: [
          { job: parent, payload: {}, children: [{ job: child, payload: { n: 2 } }] },
          { job: child, payload: { n: 1 } },
        ],
      });
      await done(jobs, flow.id);
      expect(seen).toHaveLength(2);
      expect(seen[1]!.children.map((c) => c.id)).toEqual([flow.children[0]!.id, flow.children[1]!.id]);
    } finally {
      await stop();
    }
  });

  test("after orders two jobs; after a dead job, the job ends cancelled without running", async () => {
    const order: string[] = [];
    const step = defineJob({
      name: "after.step",
      payload: t.Object({ name: t.String(), ms: t.Number(), fail: t.Optional(t.Boolean()) }),
      attempts: 1,
      handler: async ({ name, ms, fail }) => {
        await Bun.sleep(ms);
        if (fail) throw new Error("no");
        order.push(name);
      },
    });
    const { jobs, stop } = await startJobs([step]);
    try {
      const first = await jobs.enqueue(step, { name: "first", ms: 100 });
      const second = await jobs.enqueue(step, { name: "second", ms: 0 }, { after: first });
      await done(jobs, second);
      expect(order).toEqual(["first", "second"]);
      const bad = await jobs.enqueue(step, { name: "bad", ms: 0, fail: true });
      const never = await jobs.enqueue(step, { name: "never", ms: 0 }, { after: [first, bad] });
      await done(jobs, never, "cancelled");
      expect((await jobs.get(never))!.errors.at(-1)!.name).toBe("DependencyFailedError");
      expect(order).toEqual(["first", "second"]);
    } finally {
      await stop();
    }
  });
});

test("a flow enqueued in the caller's transaction rolls back with it, children and all (SQLite)", async () => {
  const database = new Database(":memory:");
  const store = sqliteStore({ database });
  const job = defineJob({ name: "tx.job", payload: t.Object({}), handler: () => {} });
  const jobs = createJobs({ store, jobs: [job], logger: silentLogger });
  const db = drizzle({ client: database });
  expect(() =>
    db.transaction((tx) => {
      jobs.enqueueFlowSync(
        {
          job,
          payload: {},
          children: [
            { job, payload: {} },
            { job, payload: {} },
          ],
        },
        { tx },
      );
      jobs.enqueueSync(job, {}, { tx, after: "1" });
      throw new Error("rollback");
    }),
  ).toThrow("rollback");
  expect((await jobs.list()).jobs).toEqual([]);
  expect(await store.settleDependencies({ now: Date.now() })).toEqual({ settled: 0, waiting: 0 });
  database.close();
});
