// The behaviour every JobStore must have. A store's test file calls describeJobStoreContract with a
// factory that builds a fresh, empty store (its own file, schema or database) for each test.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { StoreClosedError } from "../../../src/jobs/errors.ts";
import type { JobStore, NewJob } from "../../../src/jobs/store.ts";
import { describeClaimControlContract } from "./job-store-claim-control.contract.ts";
import { describeControlContract } from "./job-store-control.contract.ts";
import { describeDashboardContract } from "./job-store-dashboard.contract.ts";
import { describeKeyOrderContract } from "./job-store-key-order.contract.ts";
import { describeTraceContextContract } from "./job-store-trace.contract.ts";
import { describeWorkflowStoreContract } from "./workflow-store.contract.ts";

export interface JobStoreHarness<Tx> {
  store: JobStore<Tx>;
  cleanup(): Promise<void>;
  /**
   * Runs `work` inside a transaction of the store's own database and then commits or rolls it back.
   * `work` is the contract's enqueue: it returns the store's result (a Promise for async stores, a
   * plain value for synchronous ones, which the harness must call synchronously inside its sync
   * transaction). Omit only for a store without transactions (`Tx` = never), and say so with
   * `{ transactions: false }`; otherwise the rollback tests fail.
   */
  transaction?(work: (tx: Tx) => unknown, outcome: "commit" | "rollback"): Promise<void>;
}

export interface ContractOptions {
  /** false for a store that has no transactions to join (memoryStore): the outbox tests do not apply. */
  transactions?: boolean;
}

const t0 = 1_700_000_000_000;
const worker = "worker-a";
const other = "worker-b";
const lease = 30_000;

function job(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return { name, queue: "default", payload: { n: 1 }, priority: 0, runAt: t0, maxAttempts: 3, key: null, ...overrides };
}

function error(attempt: number, message = "boom") {
  return { attempt, at: t0, name: "Error", message };
}

export function describeJobStoreContract<Tx>(
  name: string,
  makeStore: () => Promise<JobStoreHarness<Tx>>,
  options: ContractOptions = {},
): void {
  describeDashboardContract(name, makeStore);
  describeControlContract(name, makeStore, options);
  describeTraceContextContract(name, makeStore, options);
  describeWorkflowStoreContract(name, makeStore, options);
  describeClaimControlContract(name, makeStore);
  describeKeyOrderContract(name, makeStore);
  describe(`JobStore contract: ${name}`, () => {
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

    const enqueueOne = async (newJob: NewJob, now = t0) => (await store.enqueue([newJob], { now }))[0]!.id;

    test("after close(), every call fails with StoreClosedError (not retryable); close() twice is fine", async () => {
      const id = await enqueueOne(job("a"));
      await store.close();
      await store.close();
      const calls: [string, () => Promise<unknown>][] = [
        ["enqueue", () => store.enqueue([job("b")], { now: t0 })],
        ["get", () => store.get(id)],
        ["list", () => store.list({ limit: 10 })],
        ["cancel", () => store.cancel(id, { now: t0 })],
        ["claim", () => claim(["a"])],
        ["counts", () => store.counts()],
        ["enqueueGraph", () => store.enqueueGraph([job("c")], [], { now: t0 })],
      ];
      for (const [method, call] of calls) {
        const error = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreClosedError);
        expect(error).toMatchObject({ method, retryable: false });
        expect((error as Error).message).toContain("store was closed");
      }
      const sync = (store as Partial<{ enqueueSync: (jobs: NewJob[], o: { now: number }) => unknown }>).enqueueSync;
      if (sync) expect(() => sync.call(store, [job("d")], { now: t0 })).toThrow(StoreClosedError);
    });
    const claim = (names: string[], now = t0, more: { limit?: number; workerId?: string; leaseMs?: number } = {}) =>
      store.claim({
        workerId: more.workerId ?? worker,
        limit: more.limit ?? 10,
        now,
        leaseMs: more.leaseMs ?? lease,
        names,
      });

    describe("enqueue", () => {
      test("stores a ready job with its payload, readable by get", async () => {
        const id = await enqueueOne(
          job("a", { payload: { to: "x@example.com", tags: ["t"], nested: { n: 2 } }, key: "k1" }),
        );
        const record = await store.get(id);
        expect(record).toMatchObject({
          id,
          name: "a",
          queue: "default",
          state: "ready",
          payload: { to: "x@example.com", tags: ["t"], nested: { n: 2 } },
          attempts: 0,
          maxAttempts: 3,
          key: "k1",
          enqueuedAt: t0,
          runAt: t0,
          lockedBy: null,
          leaseExpiresAt: null,
          finishedAt: null,
          errors: [],
        });
      });

      test("many jobs in one call keep input order and get distinct ids", async () => {
        const results = await store.enqueue(
          [job("a", { payload: 1 }), job("b", { payload: 2 }), job("a", { payload: 3 })],
          { now: t0 },
        );
        expect(results.map((r) => r.created)).toEqual([true, true, true]);
        expect(new Set(results.map((r) => r.id)).size).toBe(3);
        const payloads = await Promise.all(results.map(async (r) => (await store.get(r.id))!.payload));
        expect(payloads).toEqual([1, 2, 3]);
      });

      test("an empty batch is a no-op", async () => {
        expect(await store.enqueue([], { now: t0 })).toEqual([]);
      });

      test("ids are never reused, also after the newest jobs were discarded or pruned", async () => {
        // Handlers may key their side effects by job id: a reused id would look already done.
        const [a, b] = (await store.enqueue([job("x"), job("x")], { now: t0 })).map((r) => r.id);
        expect(await store.discard(b!)).toBe(true);
        const c = await enqueueOne(job("x"));
        expect(BigInt(c)).toBeGreaterThan(BigInt(b!));
        await claim(["x"]);
        await store.complete([a!, c], { workerId: worker, now: t0 + 1 });
        expect(await store.prune({ finishedBefore: t0 + 2 })).toBe(2);
        const d = await enqueueOne(job("x"), t0 + 3);
        expect(BigInt(d)).toBeGreaterThan(BigInt(c));
      });

      test("get of an unknown id is null", async () => {
        expect(await store.get("999999")).toBeNull();
      });

      test("a string that is no job id names no job: beyond 64 bits, not decimal; every store agrees", async () => {
        const id = await enqueueOne(job("a"));
        const notIds = ["9223372036854775808", "9999999999999999999", "18446744073709551617", "1e3", "0x10", "-1"];
        for (const bad of [...notIds, " 1", "", "abc", "1".repeat(40)]) {
          expect(await store.get(bad), bad).toBeNull();
          expect(await store.retry(bad, { now: t0 }), bad).toBe(false);
          expect(await store.discard(bad), bad).toBe(false);
        }
        // The largest 64-bit id is a job id, of no job here.
        expect(await store.get("9223372036854775807")).toBeNull();
        expect(await store.retry("9223372036854775807", { now: t0 })).toBe(false);
        // Every id is below a cursor beyond the range: the first page, as without a cursor.
        for (const cursor of ["9223372036854775807", "9999999999999999999"]) {
          expect(
            (await store.list({ limit: 10, cursor })).jobs.map((j) => j.id),
            cursor,
          ).toEqual([id]);
        }
      });
    });

    describe("claim on enqueue (stores with claimsOnEnqueue)", () => {
      const claimBy = { workerId: worker, leaseExpiresAt: t0 + lease };

      test("a created job is stored running under the lease, attempt 1; a matched key claims nothing", async () => {
        if (!store.claimsOnEnqueue) return;
        const [taken, plain] = await store.enqueue([job("a", { key: "k", claimBy }), job("a")], { now: t0 });
        expect(taken!.created).toBe(true);
        expect(await store.get(taken!.id)).toMatchObject({
          state: "running",
          lockedBy: worker,
          leaseExpiresAt: t0 + lease,
          attempts: 1,
        });
        // Nobody else claims it; the worker that took it completes it like a claimed job.
        expect((await claim(["a"], t0, { workerId: other })).map((j) => j.id)).toEqual([plain!.id]);
        const [again] = await store.enqueue([job("a", { key: "k", claimBy: { ...claimBy, workerId: other } })], {
          now: t0,
        });
        expect(again).toEqual({ id: taken!.id, created: false });
        expect((await store.get(taken!.id))!.lockedBy).toBe(worker);
        expect(await store.complete([taken!.id], { workerId: worker, now: t0 + 1 })).toBe(1);
      });

      test("a taken job whose worker died is recovered when its lease expires", async () => {
        if (!store.claimsOnEnqueue) return;
        const [taken] = await store.enqueue([job("a", { claimBy })], { now: t0 });
        expect(await store.recoverExpired({ now: t0 + lease + 1 })).toBe(1);
        expect((await claim(["a"], t0 + lease + 2, { workerId: other })).map((j) => [j.id, j.attempt])).toEqual([
          [taken!.id, 2],
        ]);
      });
    });

    describe("delayed jobs", () => {
      test("a job due later is scheduled and is claimed only once due", async () => {
        const id = await enqueueOne(job("a", { runAt: t0 + 5_000 }));
        expect((await store.get(id))!.state).toBe("scheduled");
        expect(await claim(["a"], t0 + 4_999)).toEqual([]);
        const claimed = await claim(["a"], t0 + 5_000);
        expect(claimed.map((c) => c.id)).toEqual([id]);
      });
    });

    describe("priority", () => {
      test("higher priority first, then older runAt, then enqueue order", async () => {
        const low = await enqueueOne(job("a", { priority: 0 }));
        const high = await enqueueOne(job("a", { priority: 10 }));
        const midLater = await enqueueOne(job("a", { priority: 5, runAt: t0 + 10 }), t0);
        const midEarlier = await enqueueOne(job("a", { priority: 5, runAt: t0 + 5 }), t0);
        const lowSecond = await enqueueOne(job("a", { priority: 0 }));
        const claimed = await claim(["a"], t0 + 100);
        expect(claimed.map((c) => c.id)).toEqual([high, midEarlier, midLater, low, lowSecond]);
      });
    });

    describe("idempotency key", () => {
      test("the same key returns the existing id and creates nothing", async () => {
        const [first] = await store.enqueue([job("a", { key: "once" })], { now: t0 });
        const [second] = await store.enqueue([job("a", { key: "once", payload: { n: 2 } })], { now: t0 + 1 });
        expect(first!.created).toBe(true);
        expect(second).toEqual({ id: first!.id, created: false });
        expect((await store.get(first!.id))!.payload).toEqual({ n: 1 });
        expect(await store.counts()).toEqual([{ name: "a", state: "ready", count: 1 }]);
      });

      test("a key repeated inside one batch creates one job", async () => {
        const results = await store.enqueue(
          [job("a", { key: "k" }), job("a", { key: "other" }), job("a", { key: "k" })],
          { now: t0 },
        );
        expect(results[0]!.created).toBe(true);
        expect(results[1]!.created).toBe(true);
        expect(results[2]).toEqual({ id: results[0]!.id, created: false });
      });

      test("the key holds while the job exists, also after it succeeded", async () => {
        const id = await enqueueOne(job("a", { key: "k" }));
        await claim(["a"]);
        await store.complete([id], { workerId: worker, now: t0 + 1 });
        const [again] = await store.enqueue([job("a", { key: "k" })], { now: t0 + 2 });
        expect(again).toEqual({ id, created: false });
      });
    });

    describe("claim", () => {
      test("marks jobs running under this worker's lease and counts the attempt", async () => {
        const id = await enqueueOne(job("a"));
        const [claimed] = await claim(["a"], t0 + 1);
        expect(claimed).toMatchObject({
          id,
          name: "a",
          queue: "default",
          payload: { n: 1 },
          attempt: 1,
          maxAttempts: 3,
        });
        expect(claimed!.leaseExpiresAt).toBe(t0 + 1 + lease);
        expect(claimed!.enqueuedAt).toBe(t0);
        const record = await store.get(id);
        expect(record).toMatchObject({
          state: "running",
          lockedBy: worker,
          leaseExpiresAt: t0 + 1 + lease,
          attempts: 1,
        });
      });

      test("a claimed job is not claimed again", async () => {
        await enqueueOne(job("a"));
        expect(await claim(["a"])).toHaveLength(1);
        expect(await claim(["a"], t0, { workerId: other })).toEqual([]);
      });

      test("respects the limit and the names and queues asked for", async () => {
        await store.enqueue([job("a"), job("a"), job("a"), job("b"), job("c", { queue: "mail" })], { now: t0 });
        expect(await claim(["a"], t0, { limit: 2 })).toHaveLength(2);
        expect((await claim(["b"])).map((c) => c.name)).toEqual(["b"]);
        const none = await store.claim({
          workerId: worker,
          limit: 10,
          now: t0,
          leaseMs: lease,
          names: ["c"],
          queues: ["default"],
        });
        expect(none).toEqual([]);
        const mail = await store.claim({
          workerId: worker,
          limit: 10,
          now: t0,
          leaseMs: lease,
          names: ["c"],
          queues: ["mail"],
        });
        expect(mail.map((c) => c.queue)).toEqual(["mail"]);
      });

      test("claims nothing when nothing is due", async () => {
        expect(await claim(["a"])).toEqual([]);
      });
    });

    describe("complete", () => {
      test("running -> succeeded with finishedAt, lease cleared", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        expect(await store.complete([id], { workerId: worker, now: t0 + 50 })).toBe(1);
        expect(await store.get(id)).toMatchObject({
          state: "succeeded",
          finishedAt: t0 + 50,
          lockedBy: null,
          leaseExpiresAt: null,
        });
      });

      test("completes many at once", async () => {
        const ids = (await store.enqueue([job("a"), job("a"), job("a")], { now: t0 })).map((r) => r.id);
        await claim(["a"]);
        expect(await store.complete(ids, { workerId: worker, now: t0 + 1 })).toBe(3);
        expect(await store.counts()).toEqual([{ name: "a", state: "succeeded", count: 3 }]);
      });

      test("another worker cannot complete a job it does not hold", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        expect(await store.complete([id], { workerId: other, now: t0 + 1 })).toBe(0);
        expect((await store.get(id))!.state).toBe("running");
      });
    });

    describe("fail and retry with backoff", () => {
      test("a failure with retryAt is failed, not due before retryAt, then attempt 2", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        const changed = await store.fail([{ id, error: { ...error(1), workerId: worker }, retryAt: t0 + 2_000 }], {
          workerId: worker,
          now: t0 + 10,
        });
        expect(changed).toBe(1);
        const failed = await store.get(id);
        expect(failed).toMatchObject({
          state: "failed",
          runAt: t0 + 2_000,
          attempts: 1,
          lockedBy: null,
          leaseExpiresAt: null,
        });
        expect(failed!.errors).toEqual([{ attempt: 1, at: t0, name: "Error", message: "boom", workerId: worker }]);
        expect(await claim(["a"], t0 + 1_999)).toEqual([]);
        const [again] = await claim(["a"], t0 + 2_000);
        expect(again!.attempt).toBe(2);
      });

      test("the history keeps every failed attempt in order", async () => {
        const id = await enqueueOne(job("a"));
        for (let attempt = 1; attempt <= 2; attempt++) {
          await claim(["a"], t0 + attempt * 100);
          await store.fail([{ id, error: error(attempt, `fail ${attempt}`), retryAt: t0 + attempt * 100 + 1 }], {
            workerId: worker,
            now: t0,
          });
        }
        expect((await store.get(id))!.errors.map((e) => e.message)).toEqual(["fail 1", "fail 2"]);
      });

      test("another worker cannot fail a job it does not hold", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        expect(await store.fail([{ id, error: error(1), retryAt: null }], { workerId: other, now: t0 })).toBe(0);
        expect((await store.get(id))!.state).toBe("running");
      });
    });

    describe("dead", () => {
      test("a failure without retryAt is dead, keeps its errors and is never claimed", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        await store.fail([{ id, error: error(1, "fatal"), retryAt: null }], { workerId: worker, now: t0 + 5 });
        const dead = await store.get(id);
        expect(dead).toMatchObject({ state: "dead", finishedAt: t0 + 5, attempts: 1 });
        expect(dead!.errors.at(-1)!.message).toBe("fatal");
        expect(await claim(["a"], t0 + 1_000_000)).toEqual([]);
      });
    });

    describe("retry and discard", () => {
      test("retry makes a dead job ready now with a fresh attempt budget, history kept", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        await store.fail([{ id, error: error(1), retryAt: null }], { workerId: worker, now: t0 });
        expect(await store.retry(id, { now: t0 + 100 })).toBe(true);
        expect(await store.get(id)).toMatchObject({ state: "ready", runAt: t0 + 100, attempts: 0, finishedAt: null });
        expect((await store.get(id))!.errors).toHaveLength(1);
        const [again] = await claim(["a"], t0 + 100);
        expect(again!.attempt).toBe(1);
      });

      test("retry runs a failed job now instead of at its backoff time", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        await store.fail([{ id, error: error(1), retryAt: t0 + 60_000 }], { workerId: worker, now: t0 });
        expect(await store.retry(id, { now: t0 + 1 })).toBe(true);
        expect((await claim(["a"], t0 + 1)).map((c) => c.id)).toEqual([id]);
      });

      test("retry refuses ready, running and succeeded jobs and unknown ids", async () => {
        const id = await enqueueOne(job("a"));
        expect(await store.retry(id, { now: t0 })).toBe(false);
        await claim(["a"]);
        expect(await store.retry(id, { now: t0 })).toBe(false);
        await store.complete([id], { workerId: worker, now: t0 });
        expect(await store.retry(id, { now: t0 })).toBe(false);
        expect(await store.retry("999999", { now: t0 })).toBe(false);
      });

      test("discard deletes a job that is not running", async () => {
        const id = await enqueueOne(job("a"));
        expect(await store.discard(id)).toBe(true);
        expect(await store.get(id)).toBeNull();
        expect(await store.discard(id)).toBe(false);
        const running = await enqueueOne(job("a"));
        await claim(["a"]);
        expect(await store.discard(running)).toBe(false);
        expect((await store.get(running))!.state).toBe("running");
      });
    });

    describe("leases", () => {
      test("an expired lease makes the job ready again, the attempt counted and recorded", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"], t0, { leaseMs: 1_000 });
        expect(await store.recoverExpired({ now: t0 + 1_000 })).toBe(0);
        expect(await store.recoverExpired({ now: t0 + 1_001 })).toBe(1);
        const recovered = await store.get(id);
        expect(recovered).toMatchObject({ state: "ready", attempts: 1, lockedBy: null, leaseExpiresAt: null });
        expect(recovered!.errors).toHaveLength(1);
        expect(recovered!.errors[0]).toMatchObject({ attempt: 1, name: "LeaseExpiredError", workerId: worker });
        const [again] = await claim(["a"], t0 + 1_001, { workerId: other });
        expect(again!.attempt).toBe(2);
        // The old worker lost the job: its late completion changes nothing.
        expect(await store.complete([id], { workerId: worker, now: t0 + 2_000 })).toBe(0);
      });

      test("an expired lease on the last attempt makes the job dead", async () => {
        const id = await enqueueOne(job("a", { maxAttempts: 1 }));
        await claim(["a"], t0, { leaseMs: 1_000 });
        expect(await store.recoverExpired({ now: t0 + 5_000 })).toBe(1);
        expect(await store.get(id)).toMatchObject({ state: "dead", finishedAt: t0 + 5_000 });
      });

      test("renew extends the leases this worker holds and reports the ones it lost", async () => {
        const [mine, lost] = (await store.enqueue([job("a"), job("a")], { now: t0 })).map((r) => r.id);
        await claim(["a"], t0, { leaseMs: 1_000 });
        await store.recoverExpired({ now: t0 + 2_000 }); // both expire
        await claim(["a"], t0 + 2_000, { leaseMs: 1_000, limit: 1 }); // `mine` (older) comes back to us
        await claim(["a"], t0 + 2_000, { leaseMs: 1_000, workerId: other }); // `lost` goes to the other
        const held = await store.renew([mine!, lost!], { workerId: worker, now: t0 + 2_500, leaseMs: 1_000 });
        expect(held).toEqual([mine!]);
        expect((await store.get(mine!))!.leaseExpiresAt).toBe(t0 + 3_500);
        expect(await store.recoverExpired({ now: t0 + 3_200 })).toBe(1); // only `lost`, not renewed
      });

      test("release gives jobs back at once, the attempt not counted", async () => {
        const ids = (await store.enqueue([job("a"), job("a")], { now: t0 })).map((r) => r.id);
        await claim(["a"]);
        expect(await store.release(ids, { workerId: worker, now: t0 + 10 })).toBe(2);
        for (const id of ids) {
          expect(await store.get(id)).toMatchObject({
            state: "ready",
            attempts: 0,
            lockedBy: null,
            leaseExpiresAt: null,
          });
        }
        const again = await claim(["a"], t0 + 10, { workerId: other });
        expect(again.map((c) => c.attempt)).toEqual([1, 1]);
      });

      test("release ignores jobs held by another worker", async () => {
        const id = await enqueueOne(job("a"));
        await claim(["a"]);
        expect(await store.release([id], { workerId: other, now: t0 })).toBe(0);
        expect((await store.get(id))!.state).toBe("running");
      });
    });

    describe("per-name concurrency limit", () => {
      test("never more running than the limit across workers; frees up on completion", async () => {
        await store.enqueue([job("report"), job("report"), job("report"), job("report"), job("free"), job("free")], {
          now: t0,
        });
        const limits = { report: 2 };
        const first = await store.claim({
          workerId: worker,
          limit: 10,
          now: t0,
          leaseMs: lease,
          names: ["report", "free"],
          limits,
        });
        expect(first.filter((c) => c.name === "report")).toHaveLength(2);
        expect(first.filter((c) => c.name === "free")).toHaveLength(2);
        const second = await store.claim({
          workerId: other,
          limit: 10,
          now: t0,
          leaseMs: lease,
          names: ["report"],
          limits,
        });
        expect(second).toEqual([]);
        await store.complete([first.find((c) => c.name === "report")!.id], { workerId: worker, now: t0 });
        const third = await store.claim({
          workerId: other,
          limit: 10,
          now: t0,
          leaseMs: lease,
          names: ["report"],
          limits,
        });
        expect(third).toHaveLength(1);
      });
    });

    describe.if(options.transactions !== false)("transactional enqueue", () => {
      const enqueueIn = (tx: Tx) => {
        const jobs = [job("outbox", { key: "tx-key" })];
        const sync = (store as Partial<{ enqueueSync: JobStore<Tx>["enqueue"] }>).enqueueSync;
        return sync ? sync.call(store, jobs, { now: t0, tx }) : store.enqueue(jobs, { now: t0, tx });
      };

      test("a rolled-back transaction leaves no job", async () => {
        expect(harness.transaction).toBeDefined();
        await harness.transaction!(enqueueIn, "rollback");
        expect(await store.counts()).toEqual([]);
        // The key was never taken: enqueueing it again creates the job.
        const [again] = await store.enqueue([job("outbox", { key: "tx-key" })], { now: t0 });
        expect(again!.created).toBe(true);
      });

      test("a committed transaction keeps the job, claimable as usual", async () => {
        expect(harness.transaction).toBeDefined();
        await harness.transaction!(enqueueIn, "commit");
        expect((await claim(["outbox"])).map((c) => c.name)).toEqual(["outbox"]);
      });
    });

    describe("list and counts", () => {
      test("counts one row per name and state", async () => {
        await store.enqueue([job("a"), job("a"), job("b"), job("b", { runAt: t0 + 1_000 })], { now: t0 });
        const [claimed] = await claim(["b"]);
        await store.complete([claimed!.id], { workerId: worker, now: t0 });
        const counts = await store.counts();
        const sorted = [...counts].sort((x, y) => (x.name + x.state).localeCompare(y.name + y.state));
        expect(sorted).toEqual([
          { name: "a", state: "ready", count: 2 },
          { name: "b", state: "scheduled", count: 1 },
          { name: "b", state: "succeeded", count: 1 },
        ]);
      });

      test("lists newest first, filtered by state and name, page by page with a cursor", async () => {
        const ids = (await store.enqueue([job("a"), job("b"), job("a"), job("a"), job("a")], { now: t0 })).map(
          (r) => r.id,
        );
        const aIds = [ids[4]!, ids[3]!, ids[2]!, ids[0]!];
        const page1 = await store.list({ name: "a", limit: 3 });
        expect(page1.jobs.map((j) => j.id)).toEqual(aIds.slice(0, 3));
        expect(page1.nextCursor).not.toBeNull();
        const page2 = await store.list({ name: "a", limit: 3, cursor: page1.nextCursor! });
        expect(page2.jobs.map((j) => j.id)).toEqual(aIds.slice(3));
        expect(page2.nextCursor).toBeNull();
        expect((await store.list({ state: "ready", name: "b", limit: 10 })).jobs.map((j) => j.id)).toEqual([ids[1]!]);
        expect((await store.list({ state: "running", limit: 10 })).jobs).toEqual([]);
      });

      test("a page holds at most 1000 jobs however many are asked for, and at least one", async () => {
        await store.enqueue(
          Array.from({ length: 1001 }, () => job("a")),
          { now: t0 },
        );
        const capped = await store.list({ limit: 5_000 });
        expect(capped.jobs).toHaveLength(1000);
        expect((await store.list({ limit: 5_000, cursor: capped.nextCursor! })).jobs).toHaveLength(1);
        const one = await store.list({ limit: 0 });
        expect(one.jobs).toHaveLength(1);
        expect(one.nextCursor).toBe(one.jobs[0]!.id);
      });
    });

    describe("prune", () => {
      test("deletes succeeded jobs that finished before the cutoff, nothing else", async () => {
        const [old, recent, dead, ready] = (
          await store.enqueue([job("a"), job("a"), job("a"), job("a")], { now: t0 })
        ).map((r) => r.id);
        await claim(["a"], t0, { limit: 3 });
        await store.complete([old!], { workerId: worker, now: t0 + 100 });
        await store.complete([recent!], { workerId: worker, now: t0 + 300 });
        await store.fail([{ id: dead!, error: error(1), retryAt: null }], { workerId: worker, now: t0 + 100 });
        expect(await store.prune({ finishedBefore: t0 + 200 })).toBe(1);
        expect(await store.get(old!)).toBeNull();
        expect(await store.get(recent!)).not.toBeNull();
        expect(await store.get(dead!)).not.toBeNull();
        expect(await store.get(ready!)).not.toBeNull();
        expect(await store.prune({ finishedBefore: t0 + 200, states: ["dead"] })).toBe(1);
        expect(await store.get(dead!)).toBeNull();
      });
    });
  });
}
