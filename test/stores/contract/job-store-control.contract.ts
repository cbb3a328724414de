// What the control features need from every store: results, progress, the cancelled state, and the
// dedupe windows (keyTtlMs, debounce). Run for every store by describeJobStoreContract.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { JobStore, NewJob } from "../../../src/jobs/store.ts";
import type { JobStoreHarness } from "./job-store.contract.ts";

const t0 = 1_700_000_000_000;
const worker = "worker-a";
const lease = 30_000;

function job(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return { name, queue: "default", payload: { n: 1 }, priority: 0, runAt: t0, maxAttempts: 3, key: null, ...overrides };
}

export function describeControlContract<Tx>(
  name: string,
  makeStore: () => Promise<JobStoreHarness<Tx>>,
  options: { transactions?: boolean } = {},
): void {
  describe(`JobStore contract (control): ${name}`, () => {
    let harness: JobStoreHarness<Tx>;
    let store: JobStore<Tx>;

    beforeEach(async () => {
      harness = await makeStore();
      store = harness.store;
      await store.init();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const enqueue = async (jobs: NewJob[], now = t0) => store.enqueue(jobs, { now });
    const enqueueOne = async (newJob: NewJob, now = t0) => (await enqueue([newJob], now))[0]!;
    const claim = (names: string[], now = t0) =>
      store.claim({ workerId: worker, limit: 10, now, leaseMs: lease, names });

    describe("results", () => {
      test("complete stores each job's result (JSON), and none for a job without one", async () => {
        const [a, b, c, d] = (await enqueue([job("r"), job("r"), job("r"), job("r")])).map((r) => r.id);
        await claim(["r"]);
        const results = new Map([
          [a!, JSON.stringify({ sent: 3, ids: ["x", "y"] })],
          [c!, JSON.stringify("done")],
          [d!, "null"],
        ]);
        expect(await store.complete([a!, b!, c!, d!], { workerId: worker, now: t0 + 1, results })).toBe(4);
        expect((await store.get(a!))!.result).toEqual({ sent: 3, ids: ["x", "y"] });
        expect((await store.get(b!))!.result).toBeUndefined();
        expect((await store.get(c!))!.result).toBe("done");
        // A handler that returned null has a result: null, not none.
        expect((await store.get(d!))!.result).toBeNull();
        const listed = (await store.list({ limit: 10, order: "oldest" })).jobs.map((j) => j.result);
        expect(listed).toEqual([{ sent: 3, ids: ["x", "y"] }, undefined, "done", null]);
      });

      test("a worker that lost the job stores no result", async () => {
        const { id } = await enqueueOne(job("r"));
        await claim(["r"]);
        const results = new Map([[id, "1"]]);
        expect(await store.complete([id], { workerId: "someone-else", now: t0 + 1, results })).toBe(0);
        expect((await store.get(id))!.result).toBeUndefined();
      });
    });

    describe("progress", () => {
      test("the holding worker stores progress (number or JSON); others and finished jobs do not", async () => {
        const { id } = await enqueueOne(job("p"));
        expect(await store.progress(id, "10", { workerId: worker, now: t0 })).toBe(false);
        await claim(["p"]);
        expect(await store.progress(id, "42", { workerId: worker, now: t0 })).toBe(true);
        expect((await store.get(id))!.progress).toBe(42);
        expect(await store.progress(id, JSON.stringify({ step: "b" }), { workerId: worker, now: t0 })).toBe(true);
        expect((await store.get(id))!.progress).toEqual({ step: "b" });
        expect(await store.progress(id, "7", { workerId: "other", now: t0 })).toBe(false);
        await store.complete([id], { workerId: worker, now: t0 + 1 });
        expect(await store.progress(id, "99", { workerId: worker, now: t0 + 2 })).toBe(false);
        expect((await store.get(id))!.progress).toEqual({ step: "b" });
      });
    });

    describe("cancel", () => {
      test("pending jobs (ready, scheduled, failed awaiting retry) become cancelled and are never claimed", async () => {
        const ready = (await enqueueOne(job("c"))).id;
        const scheduled = (await enqueueOne(job("c", { runAt: t0 + 60_000 }))).id;
        const failing = (await enqueueOne(job("f"))).id;
        await claim(["f"]);
        await store.fail(
          [{ id: failing, error: { attempt: 1, at: t0, name: "Error", message: "x" }, retryAt: t0 + 10 }],
          {
            workerId: worker,
            now: t0,
          },
        );
        for (const id of [ready, scheduled, failing]) {
          expect(await store.cancel(id, { now: t0 + 5 })).toMatchObject({ id, wasRunning: false });
          expect(await store.get(id)).toMatchObject({ state: "cancelled", finishedAt: t0 + 5 });
        }
        expect(await claim(["c", "f"], t0 + 120_000)).toEqual([]);
        expect(await store.recoverExpired({ now: t0 + 10 * lease })).toBe(0);
        const counts = await store.counts();
        expect(counts.filter((c) => c.state === "cancelled").reduce((n, c) => n + c.count, 0)).toBe(3);
      });

      test("a running job is cancelled at once; its worker's complete, fail, renew and release change nothing", async () => {
        const { id } = await enqueueOne(job("c"));
        await claim(["c"]);
        expect(await store.cancel(id, { now: t0 + 1 })).toMatchObject({
          id,
          name: "c",
          queue: "default",
          wasRunning: true,
        });
        expect(await store.cancelled([id, "999999"])).toEqual([id]);
        expect(await store.renew([id], { workerId: worker, now: t0 + 2, leaseMs: lease })).toEqual([]);
        expect(await store.complete([id], { workerId: worker, now: t0 + 3 })).toBe(0);
        expect(
          await store.fail([{ id, error: { attempt: 1, at: t0, name: "Error", message: "x" }, retryAt: null }], {
            workerId: worker,
            now: t0 + 3,
          }),
        ).toBe(0);
        expect(await store.release([id], { workerId: worker, now: t0 + 3 })).toBe(0);
        // Its lease would have expired long ago: recovery must not bring it back.
        expect(await store.recoverExpired({ now: t0 + 10 * lease })).toBe(0);
        expect(await store.get(id)).toMatchObject({ state: "cancelled", finishedAt: t0 + 1, lockedBy: worker });
      });

      test("finished or unknown jobs are not cancelled", async () => {
        const { id } = await enqueueOne(job("c"));
        await claim(["c"]);
        await store.complete([id], { workerId: worker, now: t0 + 1 });
        expect(await store.cancel(id, { now: t0 + 2 })).toBeNull();
        expect(await store.cancel("999999", { now: t0 + 2 })).toBeNull();
        expect(await store.cancel("not-an-id", { now: t0 + 2 })).toBeNull();
        const other = (await enqueueOne(job("c"))).id;
        expect(await store.cancel(other, { now: t0 })).not.toBeNull();
        expect(await store.cancel(other, { now: t0 })).toBeNull();
        expect(await store.cancelled([id])).toEqual([]);
      });

      test("retry runs a cancelled job again with a fresh budget; prune deletes cancelled jobs when asked", async () => {
        const [a, b] = (await enqueue([job("c"), job("c")])).map((r) => r.id);
        await claim(["c"]);
        await store.cancel(a!, { now: t0 + 1 });
        await store.cancel(b!, { now: t0 + 1 });
        expect(await store.retry(a!, { now: t0 + 2 })).toBe(true);
        expect(await store.get(a!)).toMatchObject({ state: "ready", attempts: 0, finishedAt: null, lockedBy: null });
        expect((await claim(["c"], t0 + 3)).map((j) => j.id)).toEqual([a!]);
        expect(await store.prune({ finishedBefore: t0 + 10 })).toBe(0);
        expect(await store.prune({ finishedBefore: t0 + 10, states: ["cancelled"] })).toBe(1);
        expect(await store.get(b!)).toBeNull();
      });
    });

    describe("dedupe windows", () => {
      test("keyTtlMs: duplicates are dropped inside the window; after it a new job is created", async () => {
        const first = await enqueueOne(job("k", { key: "order-1", keyTtlMs: 1_000 }));
        expect(first.created).toBe(true);
        const dup = await enqueueOne(job("k", { key: "order-1", keyTtlMs: 1_000 }), t0 + 999);
        expect(dup).toEqual({ id: first.id, created: false });
        // The old job finished and is still kept: the closed window frees its key anyway.
        await claim(["k"], t0 + 999);
        await store.complete([first.id], { workerId: worker, now: t0 + 999 });
        const next = await enqueueOne(job("k", { key: "order-1", keyTtlMs: 1_000, payload: { n: 2 } }), t0 + 1_000);
        expect(next.created).toBe(true);
        expect(next.id).not.toBe(first.id);
        expect(await store.get(first.id)).toMatchObject({ state: "succeeded", key: null });
        expect(await store.get(next.id)).toMatchObject({ key: "order-1", payload: { n: 2 } });
        expect((await store.list({ key: "order-1", limit: 10 })).jobs.map((j) => j.id)).toEqual([next.id]);
        // The new job opened a new window.
        expect(await enqueueOne(job("k", { key: "order-1" }), t0 + 1_500)).toEqual({ id: next.id, created: false });
      });

      test("a key without keyTtlMs holds while the job exists", async () => {
        const first = await enqueueOne(job("k", { key: "plain" }));
        expect(await enqueueOne(job("k", { key: "plain" }), t0 + 10 * 86_400_000)).toEqual({
          id: first.id,
          created: false,
        });
      });

      test("debounce: an unstarted job takes the new payload and start, keeping its id", async () => {
        const first = await enqueueOne(job("d", { key: "user-7", debounce: true, runAt: t0 + 500, payload: { v: 1 } }));
        expect(first.created).toBe(true);
        expect(await store.get(first.id)).toMatchObject({ state: "scheduled", runAt: t0 + 500 });
        const again = await enqueueOne(
          job("d", { key: "user-7", debounce: true, runAt: t0 + 800, payload: { v: 2 } }),
          t0 + 300,
        );
        expect(again).toEqual({ id: first.id, created: false });
        expect(await store.get(first.id)).toMatchObject({ state: "scheduled", runAt: t0 + 800, payload: { v: 2 } });
        expect(await claim(["d"], t0 + 600)).toEqual([]);
        const claimed = await claim(["d"], t0 + 800);
        expect(claimed.map((j) => [j.id, j.payload])).toEqual([[first.id, { v: 2 }]]);
      });

      test("debounce: once the job started, the next enqueue creates a new job", async () => {
        const first = await enqueueOne(job("d", { key: "user-8", debounce: true, payload: { v: 1 } }));
        await claim(["d"]);
        const next = await enqueueOne(
          job("d", { key: "user-8", debounce: true, runAt: t0 + 100, payload: { v: 2 } }),
          t0 + 1,
        );
        expect(next.created).toBe(true);
        expect(next.id).not.toBe(first.id);
        expect(await store.get(first.id)).toMatchObject({ state: "running", key: null, payload: { v: 1 } });
        expect(await store.get(next.id)).toMatchObject({ state: "scheduled", key: "user-8", payload: { v: 2 } });
      });

      test("repeats of a key within one batch: dropped, or debounced into the first job", async () => {
        const results = await enqueue([
          job("b", { key: "x", payload: 1 }),
          job("b", { key: "x", payload: 2 }),
          job("b", { key: "y", debounce: true, runAt: t0 + 100, payload: 1 }),
          job("b", { key: "y", debounce: true, runAt: t0 + 200, payload: 2 }),
          job("b", { payload: 3 }),
        ]);
        expect(results.map((r) => r.created)).toEqual([true, false, true, false, true]);
        expect(results[1]!.id).toBe(results[0]!.id);
        expect(results[3]!.id).toBe(results[2]!.id);
        expect((await store.get(results[0]!.id))!.payload).toBe(1);
        expect(await store.get(results[2]!.id)).toMatchObject({ payload: 2, runAt: t0 + 200 });
        expect(new Set(results.map((r) => r.id)).size).toBe(3);
      });

      test.if(options.transactions !== false)(
        "inside the caller's transaction: a closed window and a debounce, committed with it",
        async () => {
          const old = await enqueueOne(job("x", { key: "ttl", keyTtlMs: 10 }));
          const deb = await enqueueOne(job("x", { key: "deb", debounce: true, runAt: t0 + 50, payload: "a" }));
          const jobs = [
            job("x", { key: "ttl", keyTtlMs: 10, payload: "it's new" }),
            job("x", { key: "deb", debounce: true, runAt: t0 + 150, payload: "b" }),
          ];
          let results: { id: string; created: boolean }[] = [];
          await harness.transaction!((tx) => {
            const sync = (store as Partial<{ enqueueSync: JobStore<Tx>["enqueue"] }>).enqueueSync;
            const done = sync
              ? sync.call(store, jobs, { now: t0 + 20, tx })
              : store.enqueue(jobs, { now: t0 + 20, tx });
            if (done instanceof Promise) return done.then((r) => void (results = r));
            results = done as unknown as typeof results;
            return done;
          }, "commit");
          expect(results[0]!.created).toBe(true);
          expect(results[0]!.id).not.toBe(old.id);
          expect(await store.get(results[0]!.id)).toMatchObject({ key: "ttl", payload: "it's new" });
          expect(await store.get(old.id)).toMatchObject({ key: null });
          expect(results[1]).toEqual({ id: deb.id, created: false });
          expect(await store.get(deb.id)).toMatchObject({ runAt: t0 + 150, payload: "b" });
        },
      );

      test("a batch mixing a closed window, a debounce and new keys", async () => {
        const old = await enqueueOne(job("m", { key: "ttl", keyTtlMs: 10 }));
        const deb = await enqueueOne(job("m", { key: "deb", debounce: true, runAt: t0 + 50 }));
        const results = await enqueue(
          [
            job("m", { key: "ttl", keyTtlMs: 10, payload: "new" }),
            job("m", { key: "deb", debounce: true, runAt: t0 + 150, payload: "moved" }),
            job("m", { key: "fresh" }),
          ],
          t0 + 20,
        );
        expect(results[0]!.created).toBe(true);
        expect(results[0]!.id).not.toBe(old.id);
        expect(results[1]).toEqual({ id: deb.id, created: false });
        expect(await store.get(deb.id)).toMatchObject({ runAt: t0 + 150, payload: "moved" });
        expect(results[2]!.created).toBe(true);
      });
    });
  });
}
