import { afterEach, describe, expect, test } from "bun:test";
import { t } from "elysia";
import { defineJob, type JobEvent, JobEvents, type JobEventType, NonRetryableError } from "../../src/jobs/index.ts";
import { startJobs, until } from "./helpers.ts";

let running: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(...args: Parameters<typeof startJobs>) {
  const started = await startJobs(...args);
  running = started;
  return started;
}

function record(events: JobEvents, types: readonly JobEventType[]) {
  const seen: JobEvent[] = [];
  for (const type of types) events.addEventListener(type, (event) => void seen.push(event));
  return seen;
}

describe("JobEvents keeps count of its listeners", () => {
  const noop = () => {};

  test("add and remove, duplicates ignored as EventTarget does", () => {
    const events = new JobEvents();
    expect(events.listens("started")).toBe(false);
    events.addEventListener("started", noop);
    events.addEventListener("started", noop);
    expect(events.listens("started")).toBe(true);
    expect(events.listens("succeeded")).toBe(false);
    events.removeEventListener("started", noop);
    expect(events.listens("started")).toBe(false);
  });

  test("a listener added for capture is another listener", () => {
    const events = new JobEvents();
    events.addEventListener("started", noop);
    events.addEventListener("started", noop, { capture: true });
    events.removeEventListener("started", noop);
    expect(events.listens("started")).toBe(true);
    events.removeEventListener("started", noop, true);
    expect(events.listens("started")).toBe(false);
  });

  test("a once-listener is forgotten after it fires; removing it before works too", () => {
    const events = new JobEvents();
    let calls = 0;
    const listener = () => void calls++;
    events.addEventListener("progress", listener, { once: true });
    events.emit("progress", { id: "1", name: "n", queue: "q" }, () => ({ progress: 1 }));
    events.emit("progress", { id: "1", name: "n", queue: "q" }, () => ({ progress: 2 }));
    expect(calls).toBe(1);
    expect(events.listens("progress")).toBe(false);
    events.addEventListener("progress", listener, { once: true });
    events.removeEventListener("progress", listener);
    events.emit("progress", { id: "1", name: "n", queue: "q" }, () => ({ progress: 3 }));
    expect(calls).toBe(1);
    expect(events.listens("progress")).toBe(false);
  });

  test("an aborted signal removes its listener", () => {
    const events = new JobEvents();
    const controller = new AbortController();
    events.addEventListener("dead", noop, { signal: controller.signal });
    expect(events.listens("dead")).toBe(true);
    controller.abort();
    expect(events.listens("dead")).toBe(false);
    events.addEventListener("dead", noop, { signal: controller.signal });
    expect(events.listens("dead")).toBe(false);
  });

  test("emit builds no detail when nobody listens", () => {
    const events = new JobEvents();
    let built = 0;
    events.emit("progress", { id: "1", name: "n", queue: "q" }, () => ({ progress: ++built }));
    expect(built).toBe(0);
  });
});

describe("jobs.events", () => {
  test("enqueued says whether a job was created or its key matched one", async () => {
    const job = defineJob({ name: "mail", payload: t.String(), handler: () => {} });
    const { jobs } = await start([job], { pollIntervalMs: 60_000 });
    const seen = record(jobs.events, ["enqueued"]);
    const first = await jobs.enqueue(job, "a", { key: "k", delayMs: 60_000 });
    const again = await jobs.enqueue(job, "b", { key: "k" });
    expect(again).toBe(first);
    expect(seen.map((e) => [e.type, e.job.id, e.job.name, e.job.queue, e.detail])).toEqual([
      ["enqueued", first, "mail", "default", { runAt: expect.any(Number), key: "k", created: true }],
      ["enqueued", first, "mail", "default", { runAt: expect.any(Number), key: "k", created: false }],
    ]);
  });

  test("started, then succeeded once the outcome is stored", async () => {
    const job = defineJob({ name: "ok", payload: t.Null(), handler: () => Bun.sleep(20) });
    const { jobs } = await start([job]);
    const seen = record(jobs.events, ["started", "succeeded", "failed", "dead"]);
    let stateWhenSucceeded: string | undefined;
    jobs.events.addEventListener("succeeded", async (event) => {
      stateWhenSucceeded = (await jobs.get(event.job.id))?.state;
    });
    const id = await jobs.enqueue(job, null);
    await until(() => stateWhenSucceeded !== undefined, "the succeeded event");
    expect(stateWhenSucceeded).toBe("succeeded");
    expect(seen.map((e) => e.type)).toEqual(["started", "succeeded"]);
    const [started, succeeded] = seen as [JobEvent<"started">, JobEvent<"succeeded">];
    expect(started.job.id).toBe(id);
    expect(started.detail.attempt).toBe(1);
    expect(started.detail.startedAt).toBeGreaterThanOrEqual(started.detail.dueAt);
    expect(succeeded.detail.durationMs).toBeGreaterThanOrEqual(15);
  });

  test("failed carries the error and the retry time; dead once no attempt is left", async () => {
    let calls = 0;
    const job = defineJob({
      name: "flaky",
      payload: t.Null(),
      attempts: 3,
      backoff: () => 0,
      handler: () => {
        calls++;
        throw calls < 2 ? new Error("try again") : new NonRetryableError("give up");
      },
    });
    const { jobs } = await start([job]);
    const seen = record(jobs.events, ["started", "succeeded", "failed", "dead"]);
    await jobs.enqueue(job, null);
    await until(() => seen.some((e) => e.type === "dead"), "the dead event");
    expect(seen.map((e) => e.type)).toEqual(["started", "failed", "started", "dead"]);
    const failed = seen[1] as JobEvent<"failed">;
    expect(failed.detail.error.message).toBe("try again");
    expect(failed.detail.retryAt).toBeGreaterThan(0);
    const dead = seen[3] as JobEvent<"dead">;
    expect(dead.detail.attempt).toBe(2);
    expect(dead.detail.error.name).toBe("NonRetryableError");
  });
});
