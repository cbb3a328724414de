// Pause, rate limits and per-key concurrency through the Jobs service (the stores' claim is covered by
// the contract suite; here: definitions, enqueue-time keys, and what the dispatcher does with them).
import { afterEach, describe, expect, test } from "bun:test";
import { t } from "elysia";
import { ClaimGate } from "../../src/jobs/claim-gate.ts";
import {
  defineJob,
  InvalidEnqueueOptionsError,
  InvalidJobDefinitionError,
  InvalidPauseTargetError,
} from "../../src/jobs/index.ts";
import { describeOnEachStore, startJobs, until } from "./helpers.ts";

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

const payload = t.Object({ tenant: t.String() });
const noop = () => {};

describe("defineJob: rateLimit and concurrency", () => {
  const spec = { name: "send", payload, handler: noop };
  test.each([
    [{ max: 0, perMs: 1000 }, "rateLimit.max"],
    [{ max: -1, perMs: 1000 }, "rateLimit.max"],
    [{ max: 1.5, perMs: 1000 }, "rateLimit.max"],
    [{ max: 5, perMs: 0 }, "rateLimit.perMs"],
    [{ max: 5, perMs: -1000 }, "rateLimit.perMs"],
    [{ max: 5, perMs: 0.5 }, "rateLimit.perMs"],
    [{ max: 5, perMs: Number.NaN }, "rateLimit.perMs"],
  ])("rateLimit %j is refused, naming %s", (rateLimit, option) => {
    expect(() => defineJob({ ...spec, rateLimit })).toThrow(InvalidJobDefinitionError);
    expect(() => defineJob({ ...spec, rateLimit })).toThrow(option);
  });

  test("a key that is not a function, or a keyed concurrency without a positive limit, is refused", () => {
    expect(() => defineJob({ ...spec, rateLimit: { max: 1, perMs: 1, key: "tenant" as never } })).toThrow(
      "rateLimit.key must be a function",
    );
    expect(() => defineJob({ ...spec, concurrency: { limit: 0, key: (p) => p.tenant } })).toThrow("concurrency.limit");
    expect(() => defineJob({ ...spec, concurrency: { limit: 2 } as never })).toThrow("concurrency.key");
  });

  test("a number stays the per-name limit; an object is the per-key limit", () => {
    expect(defineJob({ ...spec, concurrency: 3 })).toMatchObject({ concurrency: 3, concurrencyByKey: undefined });
    const keyed = defineJob({ ...spec, concurrency: { limit: 2, key: (p) => p.tenant } });
    expect(keyed.concurrency).toBeUndefined();
    expect(keyed.concurrencyByKey?.limit).toBe(2);
  });
});

describeOnEachStore("pause and resume", () => {
  test("pause takes { name } or { queue }, nothing else", async () => {
    const job = defineJob({ name: "a", payload, handler: noop });
    const { jobs } = await start([job]);
    for (const bad of [{}, { name: "" }, { name: "a", queue: "q" }, { queue: 3 }, null])
      await expect(jobs.pause(bad as never)).rejects.toBeInstanceOf(InvalidPauseTargetError);
    await expect(jobs.resume({ name: "a", queue: "b" } as never)).rejects.toBeInstanceOf(InvalidPauseTargetError);
  });

  test("a name, queue or key with U+0000 is invalid: pause refuses it, list matches nothing, enqueue refuses it", async () => {
    const job = defineJob({ name: "a", payload, handler: noop });
    const { jobs } = await start([job]);
    await expect(jobs.pause({ name: "a\u0000" })).rejects.toBeInstanceOf(InvalidPauseTargetError);
    await expect(jobs.resume({ queue: "q\u0000" })).rejects.toBeInstanceOf(InvalidPauseTargetError);
    await jobs.enqueue(job, { tenant: "t" }, { key: "k" });
    for (const filter of [{ name: "a\u0000" }, { queue: "default\u0000" }, { key: "k\u0000" }])
      expect(await jobs.list(filter)).toEqual({ jobs: [], nextCursor: null });
    await expect(jobs.enqueue(job, { tenant: "t" }, { key: "k\u0000" })).rejects.toBeInstanceOf(
      InvalidEnqueueOptionsError,
    );
    expect(() => defineJob({ name: "b\u0000", payload, handler: noop })).toThrow(InvalidJobDefinitionError);
    expect(() => defineJob({ name: "b", queue: "q\u0000", payload, handler: noop })).toThrow(InvalidJobDefinitionError);
  });

  test("a job enqueued once pause() has resolved does not start (PostgreSQL: take-on-enqueue.test.ts)", async () => {
    const started: string[] = [];
    const byName = defineJob({ name: "a", payload, handler: (p) => void started.push(p.tenant) });
    const byQueue = defineJob({ name: "b", queue: "q", payload, handler: (p) => void started.push(p.tenant) });
    // A long poll interval: only the pause itself, not a later read of the store, can hold these back.
    const { jobs } = await start([byName, byQueue], { pollIntervalMs: 60_000 });
    for (let round = 0; round < 5; round++) {
      await jobs.pause({ name: "a" });
      await jobs.pause({ queue: "q" });
      await jobs.enqueue(byName, { tenant: `a${round}` });
      await jobs.enqueue(byQueue, { tenant: `q${round}` });
      await Bun.sleep(20);
      expect(started).toEqual([]);
      await jobs.resume({ name: "a" });
      await jobs.resume({ queue: "q" });
      await until(() => started.length === 2, "the resumed jobs");
      started.length = 0;
    }
  });

  test("a paused name waits, also the jobs already claimed into the channel; resume runs them", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const job = defineJob({
      name: "a",
      payload,
      handler: async (p) => {
        started.push(p.tenant);
        if (p.tenant === "first") await gate;
      },
    });
    const { jobs } = await start([job], { executors: 1 });
    await jobs.enqueue(job, { tenant: "first" });
    await until(() => started.length === 1, "the first job to start");
    await jobs.enqueueMany(job, [{ payload: { tenant: "b" } }, { payload: { tenant: "c" } }]);
    // Claimed now, waiting in the channel behind the running job.
    await until(() => jobs.buffered === 2, "the others to be claimed");
    expect(await jobs.pause({ name: "a" })).toBe(true);
    expect(await jobs.paused()).toMatchObject([{ name: "a" }]);
    release();
    await until(async () => (await jobs.counts()).byName.a?.ready === 2, "the buffered jobs to be given back");
    await Bun.sleep(150);
    expect(started).toEqual(["first"]);
    expect((await jobs.list({ state: "ready" })).jobs.map((j) => j.attempts)).toEqual([0, 0]);
    expect(await jobs.resume({ name: "a" })).toBe(true);
    await until(() => started.length === 3, "the resumed jobs");
  });

  test("a paused queue stops its jobs; other queues run", async () => {
    const started: string[] = [];
    const mail = defineJob({ name: "mail", queue: "mail", payload, handler: (p) => void started.push(p.tenant) });
    const other = defineJob({ name: "other", payload, handler: (p) => void started.push(p.tenant) });
    const { jobs } = await start([mail, other]);
    await jobs.pause({ queue: "mail" });
    await jobs.enqueue(mail, { tenant: "m" });
    await jobs.enqueue(other, { tenant: "o" });
    await until(() => started.includes("o"), "the other queue's job");
    await Bun.sleep(150);
    expect(started).toEqual(["o"]);
    await jobs.resume({ queue: "mail" });
    await until(() => started.includes("m"), "the resumed queue's job");
  });

  test("the claim gate lets a job be taken directly only when its name is neither paused nor limited", () => {
    const free = defineJob({ name: "free", payload, handler: noop });
    const capped = defineJob({ name: "capped", payload, handler: noop, concurrency: 2 });
    const rated = defineJob({ name: "rated", payload, handler: noop, rateLimit: { max: 1, perMs: 1000 } });
    const gate = new ClaimGate([free, capped, rated]);
    const direct = () => ["free", "capped", "rated", "unknown"].map((name) => gate.mayClaimDirectly(name));
    expect(direct()).toEqual([true, false, false, false]);
    gate.update([{ queue: "default", pausedAt: 0 }]);
    expect(direct()).toEqual([false, false, false, false]);
    gate.update([{ name: "free", pausedAt: 0 }]);
    expect(direct()).toEqual([false, false, false, false]);
    gate.update([{ queue: "mail", pausedAt: 0 }]);
    expect(direct()).toEqual([true, false, false, false]);
    gate.update([]);
    expect(direct()).toEqual([true, false, false, false]);
  });
});

describeOnEachStore("rate limits and per-key concurrency", () => {
  test("never more than max starts in any window; the dispatcher sleeps until the window frees", async () => {
    const starts: number[] = [];
    const job = defineJob({
      name: "send",
      payload,
      handler: () => void starts.push(performance.now()),
      rateLimit: { max: 3, perMs: 300 },
    });
    // A long poll: only the store's "window frees at" wake-up can start the later batches on time.
    const { jobs } = await start([job], { pollIntervalMs: 60_000 });
    await jobs.enqueueMany(
      job,
      Array.from({ length: 9 }, (_, i) => ({ payload: { tenant: String(i) } })),
    );
    await until(() => starts.length === 9, "all nine jobs", 5_000);
    // Starts are stamped in the handler, a little after their claim: allow for that delay.
    for (const [i, at] of starts.entries()) {
      const inWindow = starts.slice(i).filter((s) => s < at + 300 - 25);
      expect(inWindow.length).toBeLessThanOrEqual(3);
    }
    const attempts = (await jobs.list({ limit: 20 })).jobs.map((j) => j.attempts);
    expect(attempts).toEqual(Array(9).fill(1));
  });

  test("keyed rate limit: each key has its own window", async () => {
    const starts: string[] = [];
    const job = defineJob({
      name: "send",
      payload,
      handler: (p) => void starts.push(p.tenant),
      rateLimit: { max: 1, perMs: 60_000, key: (p) => p.tenant },
    });
    const { jobs } = await start([job]);
    await jobs.enqueueMany(
      job,
      ["a", "a", "b", "b", "c"].map((tenant) => ({ payload: { tenant } })),
    );
    await until(() => starts.length === 3, "one job per key");
    await Bun.sleep(150);
    expect(starts.sort()).toEqual(["a", "b", "c"]);
  });

  test("per-key concurrency keeps a busy tenant at its limit while the others proceed", async () => {
    const active = new Map<string, number>();
    let most = 0;
    const done: string[] = [];
    const job = defineJob({
      name: "work",
      payload,
      concurrency: { limit: 2, key: (p) => p.tenant },
      handler: async (p) => {
        active.set(p.tenant, (active.get(p.tenant) ?? 0) + 1);
        if (p.tenant === "big") most = Math.max(most, active.get("big")!);
        await Bun.sleep(20);
        active.set(p.tenant, active.get(p.tenant)! - 1);
        done.push(p.tenant);
      },
    });
    const { jobs } = await start([job], { executors: 8 });
    await jobs.enqueueMany(job, [
      ...Array.from({ length: 10 }, () => ({ payload: { tenant: "big" } })),
      { payload: { tenant: "small" } },
    ]);
    await until(() => done.includes("small"), "the small tenant's job");
    // Ten big jobs two at a time take five rounds; the small one must not wait for them.
    expect(done.filter((d) => d === "big").length).toBeLessThan(10);
    await until(() => done.length === 11, "every job");
    expect(most).toBe(2);
  });

  test("a key function that returns no string or number is refused at enqueue", async () => {
    const job = defineJob({
      name: "work",
      payload,
      concurrency: { limit: 1, key: () => ({}) as never },
      handler: noop,
    });
    const { jobs } = await start([job]);
    await expect(jobs.enqueue(job, { tenant: "a" })).rejects.toBeInstanceOf(InvalidEnqueueOptionsError);
  });
});
