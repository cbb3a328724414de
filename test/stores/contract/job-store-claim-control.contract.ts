// Pause and resume, rate limits and per-key concurrency limits (issue 12): what every store's claim
// must respect. Run for every store by describeJobStoreContract.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { ClaimOptions, JobStore, NewJob } from "../../../src/jobs/store.ts";
import type { JobStoreHarness } from "./job-store.contract.ts";

const t0 = 1_700_000_000_000;
const worker = "worker-a";
const other = "worker-b";
const lease = 30_000;

function job(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return { name, queue: "default", payload: { n: 1 }, priority: 0, runAt: t0, maxAttempts: 3, key: null, ...overrides };
}

export function describeClaimControlContract<Tx>(name: string, makeStore: () => Promise<JobStoreHarness<Tx>>): void {
  describe(`JobStore contract (pause, rate and key limits): ${name}`, () => {
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

    const enqueue = (jobs: NewJob[], now = t0) => store.enqueue(jobs, { now });
    const claim = (names: string[], more: Partial<ClaimOptions> = {}) =>
      store.claim({ workerId: worker, limit: 10, now: t0, leaseMs: lease, names, ...more });
    const namesOf = (claimed: { name: string }[]) => claimed.map((c) => c.name).sort();

    describe("pause and resume", () => {
      test("a paused name is not claimed; enqueue still works; resume makes it claimable", async () => {
        await enqueue([job("a"), job("b")]);
        expect(await store.pause({ name: "a" }, { now: t0 })).toBe(true);
        await enqueue([job("a")]);
        expect(namesOf(await claim(["a", "b"]))).toEqual(["b"]);
        expect(await store.resume({ name: "a" })).toBe(true);
        expect(namesOf(await claim(["a", "b"]))).toEqual(["a", "a"]);
      });

      test("a paused queue is not claimed, whatever the names asked for", async () => {
        await enqueue([job("a", { queue: "mail" }), job("b", { queue: "mail" }), job("c")]);
        await store.pause({ queue: "mail" }, { now: t0 });
        expect(namesOf(await claim(["a", "b", "c"]))).toEqual(["c"]);
        expect(namesOf(await claim(["a", "b"], { queues: ["mail"] }))).toEqual([]);
        await store.resume({ queue: "mail" });
        expect(namesOf(await claim(["a", "b"]))).toEqual(["a", "b"]);
      });

      test("paused names stay pending with no attempt counted", async () => {
        const { id } = (await enqueue([job("a")]))[0]!;
        await store.pause({ name: "a" }, { now: t0 });
        expect(await claim(["a"])).toEqual([]);
        expect(await store.get(id)).toMatchObject({ state: "ready", attempts: 0 });
      });

      test("pause and resume answer whether they changed anything; paused() lists names, then queues", async () => {
        expect(await store.paused()).toEqual([]);
        expect(await store.pause({ queue: "mail" }, { now: t0 + 2 })).toBe(true);
        expect(await store.pause({ name: "z" }, { now: t0 })).toBe(true);
        expect(await store.pause({ name: "b" }, { now: t0 + 1 })).toBe(true);
        expect(await store.pause({ name: "b" }, { now: t0 + 5 })).toBe(false);
        expect(await store.paused()).toEqual([
          { name: "b", pausedAt: t0 + 1 },
          { name: "z", pausedAt: t0 },
          { queue: "mail", pausedAt: t0 + 2 },
        ]);
        expect(await store.resume({ name: "b" })).toBe(true);
        expect(await store.resume({ name: "b" })).toBe(false);
        expect(await store.resume({ queue: "b" })).toBe(false);
        expect(await store.paused()).toEqual([
          { name: "z", pausedAt: t0 },
          { queue: "mail", pausedAt: t0 + 2 },
        ]);
      });

      test("a name and a queue of the same spelling are different pauses", async () => {
        await enqueue([job("mail", { queue: "other" }), job("x", { queue: "mail" })]);
        await store.pause({ queue: "mail" }, { now: t0 });
        expect(namesOf(await claim(["mail", "x"]))).toEqual(["mail"]);
      });

      test("limited names are skipped when paused too", async () => {
        await enqueue([job("capped"), job("keyed", { groupKey: "t1" }), job("rated")]);
        for (const n of ["capped", "keyed", "rated"]) await store.pause({ name: n }, { now: t0 });
        const claimed = await claim(["capped", "keyed", "rated"], {
          limits: { capped: 5 },
          groupLimits: { keyed: 5 },
          rateLimits: { rated: { max: 5, perMs: 1000 } },
        });
        expect(claimed).toEqual([]);
        await store.pause({ queue: "default" }, { now: t0 });
        for (const n of ["capped", "keyed", "rated"]) await store.resume({ name: n });
        expect(
          await claim(["capped", "keyed", "rated"], {
            limits: { capped: 5 },
            groupLimits: { keyed: 5 },
            rateLimits: { rated: { max: 5, perMs: 1000 } },
          }),
        ).toEqual([]);
      });
    });

    describe("rate limits (sliding window)", () => {
      const rateLimits = { send: { max: 2, perMs: 1000 } };

      test("at most max starts per window; the rest stay ready, no attempt counted", async () => {
        await enqueue([job("send"), job("send"), job("send"), job("send"), job("send"), job("free")]);
        const first = await claim(["send", "free"], { rateLimits });
        expect(namesOf(first)).toEqual(["free", "send", "send"]);
        let wake: number | undefined;
        const onRateLimited = (at: number) => (wake = at);
        expect(await claim(["send"], { rateLimits, now: t0 + 999, onRateLimited })).toEqual([]);
        expect(wake).toBe(t0 + 1000);
        const page = await store.list({ name: "send", state: "ready", limit: 10 });
        expect(page.jobs.map((j) => j.attempts)).toEqual([0, 0, 0]);
        expect(await claim(["send"], { rateLimits, now: t0 + 1000 })).toHaveLength(2);
        expect(await claim(["send"], { rateLimits, now: t0 + 1500 })).toEqual([]);
      });

      test("the window slides: a slot frees when its start leaves the window", async () => {
        await enqueue([job("send"), job("send"), job("send"), job("send")]);
        expect(await claim(["send"], { rateLimits, limit: 1 })).toHaveLength(1);
        expect(await claim(["send"], { rateLimits, now: t0 + 600 })).toHaveLength(1);
        let wake: number | undefined;
        expect(await claim(["send"], { rateLimits, now: t0 + 900, onRateLimited: (at) => (wake = at) })).toEqual([]);
        expect(wake).toBe(t0 + 1000);
        expect(await claim(["send"], { rateLimits, now: t0 + 1000 })).toHaveLength(1);
        expect(await claim(["send"], { rateLimits, now: t0 + 1599 })).toEqual([]);
        expect(await claim(["send"], { rateLimits, now: t0 + 1600 })).toHaveLength(1);
      });

      test("counts starts across workers, and a retry is a new start", async () => {
        await enqueue([job("send")]);
        const [a] = await claim(["send"], { rateLimits });
        await store.fail(
          [{ id: a!.id, error: { attempt: 1, at: t0, name: "Error", message: "x" }, retryAt: t0 + 10 }],
          {
            workerId: worker,
            now: t0 + 5,
          },
        );
        const retried = await claim(["send"], { rateLimits, workerId: other, now: t0 + 10, limit: 1 });
        expect(retried.map((c) => [c.id, c.attempt])).toEqual([[a!.id, 2]]);
        await enqueue([job("send")], t0 + 15);
        expect(await claim(["send"], { rateLimits, workerId: other, now: t0 + 20 })).toEqual([]);
      });

      test("rateLimitedRoom caps the rate-limited jobs of one claim, not the others", async () => {
        await enqueue([job("send"), job("send"), job("send"), job("free"), job("free")]);
        const claimed = await claim(["send", "free"], {
          rateLimits: { send: { max: 10, perMs: 1000 } },
          rateLimitedRoom: 1,
        });
        expect(namesOf(claimed)).toEqual(["free", "free", "send"]);
        expect(await claim(["send"], { rateLimits: { send: { max: 10, perMs: 1000 } }, rateLimitedRoom: 0 })).toEqual(
          [],
        );
      });

      test("with keys, each key group has its own window", async () => {
        const keyed = (rateKey: string) => job("send", { rateKey });
        await enqueue([keyed("a"), keyed("a"), keyed("a"), keyed("b"), keyed("b"), keyed("b")]);
        const limits = { send: { max: 1, perMs: 1000, keyed: true } };
        const first = await claim(["send"], { rateLimits: limits });
        expect(first).toHaveLength(2);
        expect(await claim(["send"], { rateLimits: limits, now: t0 + 500 })).toEqual([]);
        expect(await claim(["send"], { rateLimits: limits, now: t0 + 1000 })).toHaveLength(2);
      });

      test("a group at its limit ahead in the queue does not hide the groups behind it", async () => {
        const many = Array.from({ length: 30 }, () => job("send", { rateKey: "busy", priority: 5 }));
        await enqueue([...many, job("send", { rateKey: "quiet" })]);
        const limits = { send: { max: 1, perMs: 1000, keyed: true } };
        expect(await claim(["send"], { rateLimits: limits, limit: 1 })).toHaveLength(1);
        const next = await claim(["send"], { rateLimits: limits, limit: 1 });
        expect(next).toHaveLength(1);
        expect(await claim(["send"], { rateLimits: limits })).toEqual([]);
      });
    });

    describe("per-key concurrency", () => {
      const groupLimits = { tenant: 1 };
      const of = (groupKey: string) => job("tenant", { groupKey, payload: { groupKey } });

      test("each key group runs at most its limit; others proceed; a completion frees its group", async () => {
        await enqueue([of("a"), of("a"), of("a"), of("b"), of("b"), of("c")]);
        const first = await claim(["tenant"], { groupLimits });
        expect(first.map((c) => (c.payload as { groupKey: string }).groupKey).sort()).toEqual(["a", "b", "c"]);
        expect(await claim(["tenant"], { groupLimits, workerId: other })).toEqual([]);
        const a = first.find((c) => (c.payload as { groupKey: string }).groupKey === "a")!;
        await store.complete([a.id], { workerId: worker, now: t0 });
        const next = await claim(["tenant"], { groupLimits, workerId: other });
        expect(next.map((c) => (c.payload as { groupKey: string }).groupKey)).toEqual(["a"]);
      });

      test("with a per-name limit too, both hold", async () => {
        await enqueue([of("a"), of("a"), of("b"), of("b"), of("c")]);
        const claimed = await claim(["tenant"], { groupLimits: { tenant: 2 }, limits: { tenant: 3 } });
        expect(claimed).toHaveLength(3);
        expect(await claim(["tenant"], { groupLimits: { tenant: 2 }, limits: { tenant: 3 } })).toEqual([]);
      });

      test("claim order holds within and across groups; the batch limit holds", async () => {
        await enqueue([of("a"), of("b"), { ...of("c"), priority: 9 }, of("d")]);
        const claimed = await claim(["tenant"], { groupLimits, limit: 2 });
        expect(claimed.map((c) => (c.payload as { groupKey: string }).groupKey)).toEqual(["c", "a"]);
      });

      test("unlimited names claimed in the same call are not held back", async () => {
        await enqueue([of("a"), of("a"), job("free"), job("free")]);
        expect(namesOf(await claim(["tenant", "free"], { groupLimits }))).toEqual(["free", "free", "tenant"]);
      });
    });
  });
}
