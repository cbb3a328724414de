import { expect, test } from "bun:test";
import { t } from "elysia";
import {
  defineJob,
  defineWorkflow,
  InvalidPayloadError,
  type JobContext,
  NonRetryableError,
} from "../../src/jobs/index.ts";
import { createTestJobs, RunJobSuspendedError } from "../../src/testing/index.ts";

test("drain runs what is due, the retries as the clock moves, and jobs enqueued by handlers", async () => {
  let failuresLeft = 2;
  const sent: string[] = [];
  const send = defineJob({
    name: "send",
    payload: t.Object({ to: t.String() }),
    attempts: 5,
    backoff: () => 60_000,
    handler: ({ to }) => {
      if (failuresLeft-- > 0) throw new Error("smtp down");
      sent.push(to);
      return { sentTo: to };
    },
  });
  const signup = defineJob({
    name: "signup",
    payload: t.Object({ email: t.String() }),
    handler: async ({ email }) => void (await testJobs.jobs.enqueue(send, { to: email })),
  });
  const testJobs = createTestJobs({ jobs: [signup, send] });
  const start = testJobs.clock.now();
  await testJobs.jobs.enqueue(signup, { email: "a@example.com" });
  expect(await testJobs.drain()).toEqual({ succeeded: 2, failed: 2, dead: 0 });
  expect(sent).toEqual(["a@example.com"]);
  expect(testJobs.clock.now() - start).toBe(120_000);
  const [record] = await testJobs.enqueued(send);
  expect(record!.payload.to).toBe("a@example.com");
  expect(record).toMatchObject({ state: "succeeded", attempts: 3, result: { sentTo: "a@example.com" } });
});

test("drain leaves scheduled jobs unless asked; dead jobs are counted", async () => {
  const later = defineJob({ name: "later", payload: t.Null(), handler: () => {} });
  const broken = defineJob({
    name: "broken",
    payload: t.Null(),
    handler: () => {
      throw new NonRetryableError("bad input");
    },
  });
  const testJobs = createTestJobs({ jobs: [later, broken] });
  await testJobs.jobs.enqueue(later, null, { delayMs: 3_600_000 });
  await testJobs.jobs.enqueue(broken, null);
  expect(await testJobs.drain()).toEqual({ succeeded: 0, failed: 0, dead: 1 });
  expect((await testJobs.enqueued(later))[0]!.state).toBe("scheduled");
  expect(await testJobs.drain({ withScheduled: true })).toEqual({ succeeded: 1, failed: 0, dead: 0 });
});

test("runJob runs one handler with a real context and returns its result, or throws its error", async () => {
  const seen: JobContext[] = [];
  const double = defineJob({
    name: "double",
    payload: t.Object({ n: t.Integer() }),
    handler: ({ n }, ctx) => {
      seen.push(ctx);
      if (n < 0) throw new RangeError("negative");
      return n * 2;
    },
  });
  const testJobs = createTestJobs({ jobs: [double] });
  const doubled: number = await testJobs.runJob(double, { n: 21 });
  expect(doubled).toBe(42);
  expect(seen[0]!.attempt).toBe(1);
  expect(seen[0]!.signal.aborted).toBe(false);
  await expect(testJobs.runJob(double, { n: -1 })).rejects.toBeInstanceOf(RangeError);
  await expect(testJobs.runJob(double, { n: "x" } as never)).rejects.toBeInstanceOf(InvalidPayloadError);
  expect(await testJobs.enqueued(double)).toEqual([]);
});

test("runJob runs a workflow's steps; a sleep or an event wait stops it with a typed error pointing to drain()", async () => {
  const ran: string[] = [];
  const steps = defineWorkflow({
    name: "steps",
    payload: t.Object({ n: t.Number() }),
    run: async ({ n }, step) => {
      const a = await step.run("a", () => {
        ran.push("a");
        return n + 1;
      });
      const b = await step.run("b", () => {
        ran.push("b");
        return a * 2;
      });
      return { b };
    },
  });
  const sleeps = defineWorkflow({
    name: "sleeps",
    payload: t.Object({}),
    run: async (_, step) => {
      await step.sleep("day", 86_400_000);
      return 1;
    },
  });
  const waits = defineWorkflow({
    name: "waits",
    payload: t.Object({}),
    run: async (_, step) => step.waitForEvent("approved", { event: "approval" }),
  });
  const testJobs = createTestJobs({ jobs: [steps, sleeps, waits] });
  expect(await testJobs.runJob(steps, { n: 1 })).toEqual({ b: 4 });
  expect(ran).toEqual(["a", "b"]);
  const slept = await testJobs.runJob(sleeps, {}).catch((e: unknown) => e);
  expect(slept).toBeInstanceOf(RunJobSuspendedError);
  expect((slept as Error).message).toContain("drain(");
  expect(await testJobs.runJob(waits, {}).catch((e: unknown) => e)).toBeInstanceOf(RunJobSuspendedError);
  expect(await testJobs.enqueued(steps)).toEqual([]);
});

test("drain runs flows (parent after its children) and workflows, their sleeps on the fake clock", async () => {
  const child = defineJob({ name: "child", payload: t.Object({ n: t.Number() }), handler: ({ n }) => n * 2 });
  const parent = defineJob({
    name: "parent",
    payload: t.Object({}),
    handler: async (_, ctx) => (await ctx.children()).map((c) => c.result),
  });
  const wf = defineWorkflow({
    name: "wf",
    payload: t.Object({}),
    run: async (_, step) => {
      const a = await step.run("a", () => 20);
      await step.sleep("day", 86_400_000);
      return a + 1;
    },
  });
  const { jobs, drain, clock } = createTestJobs({ jobs: [child, parent, wf] });
  const flow = await jobs.enqueueFlow({
    job: parent,
    payload: {},
    children: [
      { job: child, payload: { n: 1 } },
      { job: child, payload: { n: 2 } },
    ],
  });
  const run = await jobs.enqueue(wf, {});
  const started = clock.now();
  await drain({ withScheduled: true });
  expect((await jobs.get(flow.id))!).toMatchObject({ state: "succeeded", result: [2, 4] });
  expect((await jobs.get(run))!).toMatchObject({ state: "succeeded", result: 21 });
  expect(clock.now() - started).toBe(86_400_000);
});
