// What the dashboard reads and does beyond the core contract: list filters (queue, key), oldest-first
// paging, run now, and stats. Run for every store by describeJobStoreContract.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { JobStore, NewJob } from "../../../src/jobs/store.ts";
import type { JobStoreHarness } from "./job-store.contract.ts";

const t0 = 1_700_000_000_000;
const minute = 60_000;
const worker = "worker-a";

function job(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return { name, queue: "default", payload: { n: 1 }, priority: 0, runAt: t0, maxAttempts: 3, key: null, ...overrides };
}

function error(attempt: number, at: number) {
  return { attempt, at, name: "Error", message: "boom" };
}

export function describeDashboardContract<Tx>(name: string, makeStore: () => Promise<JobStoreHarness<Tx>>): void {
  describe(`JobStore contract (dashboard reads): ${name}`, () => {
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

    const ids = async (jobs: NewJob[], now = t0) => (await store.enqueue(jobs, { now })).map((r) => r.id);
    const claimAll = (names: string[], now: number) =>
      store.claim({ workerId: worker, limit: 100, now, leaseMs: 30_000, names });

    test("list filters by queue and finds a job by its key", async () => {
      const [a, b, c] = await ids([
        job("a", { queue: "mail" }),
        job("a", { queue: "default", key: "order-7" }),
        job("b", { queue: "mail" }),
      ]);
      expect((await store.list({ queue: "mail", limit: 10 })).jobs.map((j) => j.id)).toEqual([c!, a!]);
      expect((await store.list({ queue: "mail", name: "a", limit: 10 })).jobs.map((j) => j.id)).toEqual([a!]);
      const byKey = await store.list({ key: "order-7", limit: 10 });
      expect(byKey.jobs.map((j) => j.id)).toEqual([b!]);
      expect(byKey.nextCursor).toBeNull();
      // The other filters still apply to the job a key names.
      expect((await store.list({ key: "order-7", state: "dead", limit: 10 })).jobs).toEqual([]);
      expect((await store.list({ key: "order-7", queue: "mail", limit: 10 })).jobs).toEqual([]);
      expect((await store.list({ key: "missing", limit: 10 })).jobs).toEqual([]);
    });

    test("lists oldest first, page by page with a cursor", async () => {
      const all = await ids([job("a"), job("b"), job("a"), job("a"), job("a")]);
      const aIds = [all[0]!, all[2]!, all[3]!, all[4]!];
      const page1 = await store.list({ name: "a", limit: 3, order: "oldest" });
      expect(page1.jobs.map((j) => j.id)).toEqual(aIds.slice(0, 3));
      const page2 = await store.list({ name: "a", limit: 3, order: "oldest", cursor: page1.nextCursor! });
      expect(page2.jobs.map((j) => j.id)).toEqual(aIds.slice(3));
      expect(page2.nextCursor).toBeNull();
    });

    test("runNow makes a scheduled or retry-waiting job due now, attempts kept; refuses the rest", async () => {
      const [scheduled, retrying, ready] = await ids([job("a", { runAt: t0 + 3_600_000 }), job("b"), job("c")]);
      const [claimed] = await claimAll(["b"], t0);
      await store.fail([{ id: claimed!.id, error: error(1, t0), retryAt: t0 + 3_600_000 }], {
        workerId: worker,
        now: t0,
      });
      expect(await store.runNow(scheduled!, { now: t0 + 10 })).toBe(true);
      expect(await store.runNow(retrying!, { now: t0 + 10 })).toBe(true);
      expect(await store.get(scheduled!)).toMatchObject({ state: "ready", runAt: t0 + 10, attempts: 0 });
      expect(await store.get(retrying!)).toMatchObject({ state: "ready", runAt: t0 + 10, attempts: 1 });
      expect((await store.get(retrying!))!.errors).toHaveLength(1);
      const claimedNow = await claimAll(["a", "b"], t0 + 10);
      expect(claimedNow.map((j) => j.id).sort()).toEqual([scheduled!, retrying!].sort());
      expect(claimedNow.find((j) => j.id === retrying)!.attempt).toBe(2);
      expect(await store.runNow(ready!, { now: t0 + 10 })).toBe(false);
      expect(await store.runNow(scheduled!, { now: t0 + 10 })).toBe(false); // running now
      expect(await store.runNow("999999", { now: t0 })).toBe(false);
      expect(await store.runNow("not-an-id", { now: t0 })).toBe(false);
    });

    test("stats: counts by queue, activity per bucket, due backlog", async () => {
      const since = t0;
      const [ok1, ok2, flaky, doomed, old] = await ids([
        job("a", { queue: "q1" }),
        job("a", { queue: "q1" }),
        job("b", { queue: "q2" }),
        job("b", { queue: "q2" }),
        job("a", { queue: "q1" }),
      ]);
      await ids([job("a", { queue: "q1", runAt: t0 + 100 * minute })]); // scheduled, not due
      await claimAll(["a", "b"], t0);
      await store.complete([ok1!], { workerId: worker, now: t0 + 30_000 });
      await store.complete([ok2!], { workerId: worker, now: t0 + minute + 5 });
      await store.fail([{ id: flaky!, error: error(1, t0 + minute + 10), retryAt: t0 + 2 * minute }], {
        workerId: worker,
        now: t0 + minute + 10,
      });
      await store.fail([{ id: doomed!, error: error(1, t0 + 2 * minute), retryAt: null }], {
        workerId: worker,
        now: t0 + 2 * minute,
      });
      await store.complete([old!], { workerId: worker, now: t0 - 1 }); // before the window
      const now = t0 + 3 * minute;
      const stats = await store.stats({ now, since, bucketMs: minute });
      expect(stats.counts).toEqual([
        { queue: "q1", name: "a", state: "scheduled", count: 1 },
        { queue: "q1", name: "a", state: "succeeded", count: 3 },
        { queue: "q2", name: "b", state: "dead", count: 1 },
        { queue: "q2", name: "b", state: "failed", count: 1 },
      ]);
      expect(stats.activity).toEqual([
        { at: t0, succeeded: 1, failed: 0, dead: 0 },
        { at: t0 + minute, succeeded: 1, failed: 1, dead: 0 },
        { at: t0 + 2 * minute, succeeded: 0, failed: 1, dead: 1 },
      ]);
      // The failed job's retry is due at t0 + 2 min: it waits for a worker, as does nothing else.
      expect(stats.due).toEqual([{ queue: "q2", name: "b", count: 1, oldestRunAt: t0 + 2 * minute }]);
      const later = await store.stats({ now: t0 + 200 * minute, since: t0 + 100 * minute, bucketMs: minute });
      expect(later.activity).toEqual([]);
      expect(later.due).toEqual([
        { queue: "q1", name: "a", count: 1, oldestRunAt: t0 + 100 * minute },
        { queue: "q2", name: "b", count: 1, oldestRunAt: t0 + 2 * minute },
      ]);
    });
  });
}
