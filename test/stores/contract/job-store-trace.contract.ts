// The trace context a job is enqueued with (NewJob.traceContext, set by tracing.ts) comes back at every
// claim, whichever enqueue path stored it and however many attempts later: that is what lets a `run`
// span on another instance, or after a retry, join the enqueuing request's trace. Run for every store
// by describeJobStoreContract.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { ClaimedJob, EnqueuedJob, EnqueueOptions, JobStore, NewJob } from "../../../src/jobs/store.ts";
import type { ContractOptions, JobStoreHarness } from "./job-store.contract.ts";

const t0 = 1_700_000_000_000;
const worker = "worker-a";
const other = "worker-b";

/** Propagation headers as tracing.ts stores them; the `'` and `\` check the stores' quoting. */
function traceContext(n: number): string {
  const traceId = n.toString(16).padStart(32, "0");
  return JSON.stringify({ traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate: `vendor=o'k\\${n}` });
}

function job(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return { name, queue: "default", payload: { n: 1 }, priority: 0, runAt: t0, maxAttempts: 3, key: null, ...overrides };
}

type SyncEnqueue<Tx> = (jobs: readonly NewJob[], options: EnqueueOptions<Tx>) => EnqueuedJob[];

export function describeTraceContextContract<Tx>(
  name: string,
  makeStore: () => Promise<JobStoreHarness<Tx>>,
  options: ContractOptions = {},
): void {
  describe(`JobStore contract (trace context): ${name}`, () => {
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

    const claim = async (now = t0, workerId = worker): Promise<ClaimedJob[]> =>
      store.claim({ workerId, limit: 10, now, leaseMs: 1_000, names: ["traced"] });
    const claimOne = async (now = t0, workerId = worker): Promise<ClaimedJob> => {
      const [claimed] = await claim(now, workerId);
      expect(claimed).toBeDefined();
      return claimed!;
    };
    const syncEnqueue = () => (store as Partial<{ enqueueSync: SyncEnqueue<Tx> }>).enqueueSync?.bind(store);

    test("claim returns the context given at enqueue, and null for a job enqueued without one", async () => {
      const [traced, untraced] = await store.enqueue(
        [job("traced", { traceContext: traceContext(1) }), job("traced", { priority: -1 })],
        { now: t0 },
      );
      const claimed = await claim();
      expect(claimed.map((c) => [c.id, c.traceContext])).toEqual([
        [traced!.id, traceContext(1)],
        [untraced!.id, null],
      ]);
    });

    test("each job of a batch, and each of concurrent enqueues, keeps its own context", async () => {
      const batch = await store.enqueue(
        [
          job("traced", { traceContext: traceContext(1) }),
          job("traced", { traceContext: traceContext(2) }),
          job("traced", { traceContext: traceContext(3), runAt: t0 - 1 }),
        ],
        { now: t0 },
      );
      // Not awaited one by one: stores that share a commit between concurrent calls do so here.
      const concurrent = await Promise.all(
        [4, 5, 6].map((n) => store.enqueue([job("traced", { traceContext: traceContext(n) })], { now: t0 })),
      );
      const ids = [...batch, ...concurrent.flat()].map((r) => r.id);
      const byId = new Map((await claim()).map((c) => [c.id, c.traceContext]));
      expect(ids.map((id) => byId.get(id))).toEqual([1, 2, 3, 4, 5, 6].map(traceContext));
    });

    test("a key conflict keeps the first job's context", async () => {
      await store.enqueue([job("traced", { key: "k", traceContext: traceContext(1) })], { now: t0 });
      const [again] = await store.enqueue([job("traced", { key: "k", traceContext: traceContext(2) })], { now: t0 });
      expect(again!.created).toBe(false);
      expect((await claimOne()).traceContext).toBe(traceContext(1));
    });

    test("every later attempt returns it: backoff retry, expired lease, manual retry of a dead job", async () => {
      const [enqueued] = await store.enqueue([job("traced", { traceContext: traceContext(7) })], { now: t0 });
      const id = enqueued!.id;
      expect((await claimOne()).traceContext).toBe(traceContext(7));
      const failure = { id, error: { attempt: 1, at: t0, name: "Error", message: "boom" } };
      await store.fail([{ ...failure, retryAt: t0 + 10 }], { workerId: worker, now: t0 });
      const second = await claimOne(t0 + 10);
      expect([second.attempt, second.traceContext]).toEqual([2, traceContext(7)]);
      expect(await store.recoverExpired({ now: t0 + 2_000 })).toBe(1);
      const third = await claimOne(t0 + 2_000, other);
      expect([third.attempt, third.traceContext]).toEqual([3, traceContext(7)]);
      await store.fail([{ ...failure, retryAt: null }], { workerId: other, now: t0 + 2_000 });
      expect(await store.retry(id, { now: t0 + 3_000 })).toBe(true);
      const revived = await claimOne(t0 + 3_000);
      expect([revived.attempt, revived.traceContext]).toEqual([1, traceContext(7)]);
    });

    test("enqueueSync keeps it too, where the store has it", async () => {
      const enqueueSync = syncEnqueue();
      if (!enqueueSync) return; // async-only store (PostgreSQL): no sync path to check
      enqueueSync([job("traced", { traceContext: traceContext(8) })], { now: t0 });
      enqueueSync([job("traced", { traceContext: traceContext(9) }), job("traced")], { now: t0 });
      expect((await claim()).map((c) => c.traceContext)).toEqual([traceContext(8), traceContext(9), null]);
    });

    test.if(options.transactions !== false)("an enqueue inside the caller's transaction keeps it", async () => {
      expect(harness.transaction).toBeDefined();
      const jobs = [job("traced", { traceContext: traceContext(10) }), job("traced")];
      const enqueueSync = syncEnqueue();
      await harness.transaction!(
        (tx) => (enqueueSync ? enqueueSync(jobs, { now: t0, tx }) : store.enqueue(jobs, { now: t0, tx })),
        "commit",
      );
      expect((await claim()).map((c) => c.traceContext)).toEqual([traceContext(10), null]);
    });
  });
}
