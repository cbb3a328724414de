import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { memoryStore } from "../../../src/index.ts";
import type { NewJob } from "../../../src/jobs/store.ts";
import { describeJobStoreContract } from "../contract/job-store.contract.ts";

describeJobStoreContract("memory", async () => ({ store: memoryStore(), cleanup: async () => {} }), {
  transactions: false,
});

const t0 = 1_700_000_000_000;
const worker = "w";
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  name: "a",
  queue: "default",
  payload: { n: 1 },
  priority: 0,
  runAt: t0,
  maxAttempts: 3,
  key: null,
  ...overrides,
});
const enqueueOne = async (store: ReturnType<typeof memoryStore>, newJob: NewJob) =>
  (await store.enqueue([newJob], { now: t0 }))[0]!.id;
const claim = (store: ReturnType<typeof memoryStore>, now: number, limit = 10) =>
  store.claim({ workerId: worker, limit, now, leaseMs: 30_000, names: ["a"] });

describe("memoryStore", () => {
  test("is Web-standard: no bun:/node: imports, no Bun or process globals", () => {
    const dir = join(import.meta.dir, "../../../src/stores/memory");
    const files = [...readdirSync(dir).map((f) => join(dir, f)), join(dir, "../common.ts")];
    for (const file of files) {
      const source = readFileSync(file, "utf8");
      expect({ file, bad: source.match(/from "(bun|node):|\bBun\.\w|\bprocess\.\w/g) }).toEqual({ file, bad: null });
      for (const [, from] of source.matchAll(/from "([^"]+)"/g)) expect(from).toMatch(/^\.\.?\//);
    }
  });

  test("keeps payloads as JSON: later changes to the caller's object or to a read copy change nothing", async () => {
    const store = memoryStore();
    const payload = { list: [1], at: new Date(t0) };
    const id = await enqueueOne(store, job({ payload }));
    payload.list.push(2);
    ((await store.get(id))!.payload as { list: number[] }).list.push(3);
    expect((await store.get(id))!.payload).toEqual({ list: [1], at: new Date(t0).toISOString() });
  });

  test("a batch with a payload that is not JSON stores none of its jobs", async () => {
    const store = memoryStore();
    await expect(store.enqueue([job(), job({ payload: { n: 1n } })], { now: t0 })).rejects.toThrow(TypeError);
    expect(await store.counts()).toEqual([]);
  });

  test("a job made due by one claim is not claimed by a later claim whose clock went back", async () => {
    const store = memoryStore();
    await store.enqueue([job({ runAt: t0 + 10 })], { now: t0 });
    // A limit of 0 takes nothing, but the claim has moved the job into claim order.
    expect(
      await store.claim({ workerId: worker, limit: 10, now: t0 + 20, leaseMs: 1, names: ["a"], limits: { a: 0 } }),
    ).toEqual([]);
    expect(await claim(store, t0 + 5)).toEqual([]);
    expect(await claim(store, t0 + 10)).toHaveLength(1);
  });

  test("a failed job retried by hand is claimed once, at its new time", async () => {
    const store = memoryStore();
    const id = await enqueueOne(store, job());
    await claim(store, t0);
    await store.fail([{ id, error: { attempt: 1, at: t0, name: "Error", message: "x" }, retryAt: t0 + 1_000 }], {
      workerId: worker,
      now: t0,
    });
    await store.retry(id, { now: t0 + 1 });
    expect((await claim(store, t0 + 1)).map((c) => c.id)).toEqual([id]);
    await store.release([id], { workerId: worker, now: t0 + 1 });
    // The entry of the failed attempt (due at t0 + 1000) is stale: only the released job's entry counts.
    expect(await claim(store, t0 + 2_000)).toHaveLength(1);
    expect(await claim(store, t0 + 2_000)).toEqual([]);
  });

  test("subscribers are woken when jobs become due: enqueue, release, retry, recovery", async () => {
    const store = memoryStore();
    let wakes = 0;
    const subscription = await store.subscribe(() => wakes++);
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    await store.enqueue([job({ runAt: t0 + 1_000 })], { now: t0 });
    await tick();
    expect(wakes).toBe(0); // not due yet
    const id = await enqueueOne(store, job());
    await tick();
    expect(wakes).toBe(1);
    await claim(store, t0);
    await store.release([id], { workerId: worker, now: t0 });
    await tick();
    expect(wakes).toBe(2);
    await subscription.close();
    await store.enqueue([job()], { now: t0 });
    await tick();
    expect(wakes).toBe(2);
  });

  test("20,000 jobs in priority order through claim, complete, counts and prune", async () => {
    const store = memoryStore();
    const n = 20_000;
    await store.enqueue(
      Array.from({ length: n }, (_, i) => job({ priority: i % 7, runAt: t0 + (i % 13), key: `k${i}` })),
      { now: t0 },
    );
    let last: { priority: number; runAt: number } | undefined;
    let claimed = 0;
    for (let batch = await claim(store, t0 + 20, 500); batch.length > 0; batch = await claim(store, t0 + 20, 500)) {
      for (const c of batch) {
        if (last)
          expect(c.priority < last.priority || (c.priority === last.priority && c.runAt >= last.runAt)).toBe(true);
        last = c;
      }
      claimed += await store.complete(
        batch.map((c) => c.id),
        { workerId: worker, now: t0 + 30 },
      );
    }
    expect(claimed).toBe(n);
    expect(await store.counts()).toEqual([{ name: "a", state: "succeeded", count: n }]);
    expect(await store.prune({ finishedBefore: t0 + 31 })).toBe(n);
    expect(await store.list({ limit: 10 })).toEqual({ jobs: [], nextCursor: null });
  });
});
