// Cancel, dedupe windows, progress and waitFor through the Jobs API, on the in-process stores. The
// PostgreSQL cross-process behaviour is in pg-control.test.ts.
import { afterEach, describe, expect, test } from "bun:test";
import { t } from "elysia";
import { silentLogger } from "../../../src/hosting/index.ts";
import {
  createJobs,
  defineJob,
  InvalidEnqueueOptionsError,
  JobCancelledError,
  type JobEvent,
  UnknownJobIdError,
  WaitForTimeoutError,
} from "../../../src/jobs/index.ts";
import { sqliteStore } from "../../../src/stores/sqlite/index.ts";
import { describeOnEachStore, startJobs, until } from "../helpers.ts";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function start(...args: Parameters<typeof startJobs>) {
  const started = await startJobs(...args);
  stops.push(() => started.stop());
  return started;
}

/** A handler that runs until its signal aborts, recording the reason. */
function blockingJob(name = "block") {
  const seen: { started: string[]; reasons: unknown[] } = { started: [], reasons: [] };
  const def = defineJob({
    name,
    payload: t.Object({ n: t.Integer() }),
    handler: async (_payload, ctx) => {
      seen.started.push(ctx.job.id);
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener("abort", () => {
          seen.reasons.push(ctx.signal.reason);
          resolve();
        });
      });
      return "finished anyway";
    },
  });
  return { def, seen };
}

describeOnEachStore("jobs.cancel", () => {
  test("a pending job never runs; the cancelled event fires; cancel of a finished job is false", async () => {
    const ran: number[] = [];
    const work = defineJob({ name: "w", payload: t.Object({ n: t.Integer() }), handler: ({ n }) => void ran.push(n) });
    const { jobs } = await start([work]);
    const events: JobEvent<"cancelled">[] = [];
    jobs.events.addEventListener("cancelled", (event) => events.push(event));
    const later = await jobs.enqueue(work, { n: 1 }, { delayMs: 300 });
    expect(await jobs.cancel(later)).toBe(true);
    expect(events.map((e) => [e.job.id, e.job.name])).toEqual([[later, "w"]]);
    expect(await jobs.cancel(later)).toBe(false);
    const now = await jobs.enqueue(work, { n: 2 });
    expect((await jobs.waitFor(now, { timeoutMs: 5_000 })).state).toBe("succeeded");
    expect(await jobs.cancel(now)).toBe(false);
    expect(await jobs.cancel("123456789")).toBe(false);
    await Bun.sleep(400);
    expect(ran).toEqual([2]);
    expect((await jobs.get(later))!.state).toBe("cancelled");
  });

  test("jobs.prune deletes cancelled jobs only when asked; bad options are a RangeError", async () => {
    const work = defineJob({ name: "w", payload: t.Object({ n: t.Integer() }), handler: () => {} });
    const { jobs } = await start([work]);
    const cancelled = await jobs.enqueue(work, { n: 1 }, { delayMs: 60_000 });
    await jobs.cancel(cancelled);
    const succeeded = await jobs.enqueue(work, { n: 2 });
    await jobs.waitFor(succeeded, { timeoutMs: 5_000 });
    await Bun.sleep(5);
    expect(await jobs.prune({ olderThanMs: 0 })).toBe(1); // succeeded only, by default
    expect(await jobs.get(cancelled)).not.toBeNull();
    expect(await jobs.prune({ olderThanMs: 60_000, states: ["cancelled"] })).toBe(0); // ended just now
    expect(await jobs.prune({ olderThanMs: 0, states: ["cancelled"] })).toBe(1);
    expect(await jobs.get(cancelled)).toBeNull();
    for (const bad of [{ olderThanMs: -1 }, { olderThanMs: Number.NaN }, { states: [] }, { states: ["ready"] }])
      await expect(jobs.prune(bad as never)).rejects.toBeInstanceOf(RangeError);
  });

  test("a running job's signal aborts with JobCancelledError; it stays cancelled until retried", async () => {
    const { def, seen } = blockingJob();
    const { jobs } = await start([def], { leaseMs: 60_000 });
    const id = await jobs.enqueue(def, { n: 1 });
    await until(() => seen.started.length === 1, "the handler to start");
    expect(await jobs.cancel(id)).toBe(true);
    await until(() => seen.reasons.length === 1, "the abort");
    expect(seen.reasons[0]).toBeInstanceOf(JobCancelledError);
    const done = await jobs.waitFor(id, { timeoutMs: 1_000 });
    expect(done.state).toBe("cancelled");
    await Bun.sleep(150);
    expect(await jobs.get(id)).toMatchObject({ state: "cancelled", attempts: 1 });
    expect(seen.started).toEqual([id]);
    expect(await jobs.retry(id)).toBe(true);
    await until(() => seen.started.length === 2, "the retried run");
    expect(await jobs.cancel(id)).toBe(true);
    await until(() => seen.reasons.length === 2, "the second abort");
  });

  test("another Jobs service sharing the store aborts the job it runs within a second", async () => {
    const { def, seen } = blockingJob();
    const { jobs: runner } = await start([def], { leaseMs: 60_000, pollIntervalMs: 200 });
    const other = createJobs({ store: runner.store, jobs: [def], logger: silentLogger });
    const id = await other.enqueue(def, { n: 1 });
    await until(() => seen.started.length === 1, "the handler to start");
    const cancelledAt = Date.now();
    expect(await other.cancel(id)).toBe(true);
    await until(() => seen.reasons.length === 1, "the abort on the running service", 1_000);
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(seen.reasons[0]).toBeInstanceOf(JobCancelledError);
  });
});

describeOnEachStore("dedupe windows through jobs.enqueue", () => {
  test("debounceMs moves the unstarted job; keyTtlMs lets a new job in after the window", async () => {
    const payloads: string[] = [];
    const work = defineJob({
      name: "d",
      payload: t.Object({ v: t.String() }),
      handler: ({ v }) => void payloads.push(v),
    });
    const { jobs } = await start([work]);
    const a = await jobs.enqueue(work, { v: "a" }, { key: "k", debounceMs: 200 });
    const b = await jobs.enqueue(work, { v: "b" }, { key: "k", debounceMs: 200 });
    expect(b).toBe(a);
    await jobs.waitFor(a, { timeoutMs: 5_000 });
    expect(payloads).toEqual(["b"]);
    const next = await jobs.enqueue(work, { v: "c" }, { key: "k", debounceMs: 0 });
    expect(next).not.toBe(a);
    const t1 = await jobs.enqueue(work, { v: "t1" }, { key: "ttl", keyTtlMs: 100 });
    expect(await jobs.enqueue(work, { v: "t2" }, { key: "ttl", keyTtlMs: 100 })).toBe(t1);
    await Bun.sleep(120);
    expect(await jobs.enqueue(work, { v: "t3" }, { key: "ttl", keyTtlMs: 100 })).not.toBe(t1);
  });

  test("bad input: keyTtlMs or debounceMs without key, debounceMs with delayMs or runAt, bad numbers", async () => {
    const work = defineJob({ name: "d", payload: t.Null(), handler: () => {} });
    const { jobs } = await start([work]);
    const cases: [object, RegExp][] = [
      [{ keyTtlMs: 1000 }, /keyTtlMs needs a key/],
      [{ debounceMs: 1000 }, /debounceMs needs a key/],
      [{ key: "k", debounceMs: 10, delayMs: 5 }, /debounceMs .*without delayMs/],
      [{ key: "k", debounceMs: 10, runAt: new Date() }, /debounceMs .*without runAt/],
      [{ key: "k", keyTtlMs: 0 }, /keyTtlMs must be a finite number > 0/],
      [{ key: "k", debounceMs: -1 }, /debounceMs must be a finite number >= 0/],
    ];
    for (const [options, message] of cases) {
      const attempt = jobs.enqueue(work, null, options);
      await expect(attempt).rejects.toBeInstanceOf(InvalidEnqueueOptionsError);
      await expect(jobs.enqueue(work, null, options)).rejects.toThrow(message);
    }
    expect((await jobs.list()).jobs).toEqual([]);
  });
});

describeOnEachStore("ctx.progress and jobs.waitFor", () => {
  test("progress is stored and dispatched; waitFor resolves with the final record", async () => {
    const work = defineJob({
      name: "p",
      payload: t.Null(),
      handler: async (_payload, ctx) => {
        await ctx.progress(10);
        await ctx.progress({ step: "upload", done: 3 });
        return { ok: true };
      },
    });
    const { jobs } = await start([work]);
    const seen: unknown[] = [];
    jobs.events.addEventListener("progress", (event) => seen.push(event.detail.progress));
    const id = await jobs.enqueue(work, null);
    const done = await jobs.waitFor(id, { timeoutMs: 5_000 });
    // The second report fell within the throttle interval: written before the outcome all the same.
    expect(done).toMatchObject({ state: "succeeded", result: { ok: true }, progress: { step: "upload", done: 3 } });
    expect(seen).toEqual([10, { step: "upload", done: 3 }]);
  });

  test("waitFor: unknown id, timeout and abort are typed rejections; dead resolves", async () => {
    const { def } = blockingJob();
    const failing = defineJob({
      name: "f",
      payload: t.Null(),
      attempts: 1,
      handler: () => {
        throw new Error("nope");
      },
    });
    const { jobs } = await start([def, failing]);
    await expect(jobs.waitFor("424242")).rejects.toBeInstanceOf(UnknownJobIdError);
    const id = await jobs.enqueue(def, { n: 1 });
    const timedOut = jobs.waitFor(id, { timeoutMs: 50 });
    await expect(timedOut).rejects.toBeInstanceOf(WaitForTimeoutError);
    await expect(timedOut).rejects.toThrow(/timeoutMs of 50 ms/);
    const controller = new AbortController();
    const aborted = jobs.waitFor(id, { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    await expect(aborted).rejects.toThrow("caller gave up");
    const dead = await jobs.waitFor(await jobs.enqueue(failing, null), { timeoutMs: 5_000 });
    expect(dead.state).toBe("dead");
    await jobs.cancel(id);
  });
});

describe("cancel on SQLite across processes' stores", () => {
  test("a cancel through a second store on the same file reaches the worker by polling", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "errand-cancel-"));
    const path = join(dir, "jobs.db");
    const { def, seen } = blockingJob();
    const runnerStore = sqliteStore({ path });
    const runner = createJobs({ store: runnerStore, jobs: [def], logger: silentLogger, pollIntervalMs: 250 });
    await runner.start(new AbortController().signal);
    const otherStore = sqliteStore({ path });
    const other = createJobs({ store: otherStore, jobs: [def], logger: silentLogger });
    stops.push(async () => {
      await runner.stop(AbortSignal.timeout(2_000));
      await runnerStore.close();
      await otherStore.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const id = await other.enqueue(def, { n: 1 });
    await until(() => seen.started.length === 1, "the handler to start");
    const cancelledAt = Date.now();
    expect(await other.cancel(id)).toBe(true);
    await until(() => seen.reasons.length === 1, "the abort", 2_000);
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(seen.reasons[0]).toBeInstanceOf(JobCancelledError);
    expect((await other.waitFor(id, { timeoutMs: 1_000 })).state).toBe("cancelled");
  });
});
