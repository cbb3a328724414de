// The app's JSON comes back as written: objects keep their keys in insertion order on every store
// (PostgreSQL's jsonb would sort them, so a workflow's replayed step or a result differed from the
// first run). Run for every store by describeJobStoreContract.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { JobStore, NewJob } from "../../../src/jobs/store.ts";
import { parkedRunAt } from "../../../src/jobs/workflow-store.ts";
import type { JobStoreHarness } from "./job-store.contract.ts";

const t0 = 1_700_000_000_000;
const worker = "worker-a";
const lease = 30_000;

/** Keys neither sorted by name nor by length, nested too: any reordering shows. */
const value = () => ({ zzzz: 1, a: 2, mm: { y: 1, b: [{ q: 1, c: 2 }] }, bb: 3 });
/** Object.keys at every level, so an order change anywhere fails the comparison. */
function keyOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keyOrder);
  if (v === null || typeof v !== "object") return v;
  return Object.entries(v).map(([k, inner]) => [k, keyOrder(inner)]);
}

function job(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return { name, queue: "default", payload: value(), priority: 0, runAt: t0, maxAttempts: 3, key: null, ...overrides };
}

export function describeKeyOrderContract<Tx>(name: string, makeStore: () => Promise<JobStoreHarness<Tx>>): void {
  describe(`JobStore contract (JSON key order): ${name}`, () => {
    let harness: JobStoreHarness<Tx>;
    let store: JobStore<Tx>;
    const expected = keyOrder(value());

    beforeEach(async () => {
      harness = await makeStore();
      store = harness.store;
      await store.init();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const claim = (names: string[], now = t0) =>
      store.claim({ workerId: worker, limit: 10, now, leaseMs: lease, names });

    test("a payload (enqueue, a debounced replacement, enqueueGraph) keeps its key order", async () => {
      const [plain] = await store.enqueue([job("p")], { now: t0 });
      const [debounced] = await store.enqueue([job("d", { key: "k", debounce: true, payload: { n: 1 } })], {
        now: t0,
      });
      await store.enqueue([job("d", { key: "k", debounce: true })], { now: t0 + 1 });
      const [parent, graphChild] = await store.enqueueGraph(
        [job("g", { runAt: parkedRunAt }), job("g")],
        [{ waiter: 0, dependency: 1, kind: "child", onFailure: "fail" }],
        { now: t0 },
      );
      for (const { id } of [plain!, debounced!, parent!, graphChild!])
        expect(keyOrder((await store.get(id))!.payload)).toEqual(expected);
      const claimed = await claim(["p", "d", "g"], t0 + 1);
      expect(claimed).toHaveLength(3);
      for (const c of claimed) expect(keyOrder(c.payload)).toEqual(expected);
      expect((await store.list({ limit: 10 })).jobs.map((j) => keyOrder(j.payload))).toEqual([
        expected,
        expected,
        expected,
        expected,
      ]);
    });

    test("a result and a progress report keep their key order", async () => {
      const [a, b] = await store.enqueue([job("r"), job("r")], { now: t0 });
      await claim(["r"]);
      expect(await store.progress(a!.id, JSON.stringify(value()), { workerId: worker, now: t0 })).toBe(true);
      expect(keyOrder((await store.get(a!.id))!.progress)).toEqual(expected);
      const results = new Map([
        [a!.id, JSON.stringify(value())],
        [b!.id, JSON.stringify({ ...value(), last: true })],
      ]);
      expect(await store.complete([a!.id, b!.id], { workerId: worker, now: t0 + 1, results })).toBe(2);
      expect(keyOrder((await store.get(a!.id))!.result)).toEqual(expected);
      expect(keyOrder((await store.get(b!.id))!.result)).toEqual(keyOrder({ ...value(), last: true }));
      expect(keyOrder((await store.list({ limit: 10, order: "oldest" })).jobs[0]!.result)).toEqual(expected);
    });

    test("a step result (saved or written by suspend) and an event's data keep their key order", async () => {
      const [wf] = await store.enqueue([job("wf")], { now: t0 });
      await claim(["wf"]);
      const saved = { id: "x", seq: 0, result: value(), done: true };
      expect(await store.saveStep(wf!.id, saved, { workerId: worker, now: t0 })).toBe(true);
      const nap = { id: "nap", seq: 1, result: value(), done: true };
      expect(await store.suspend([{ id: wf!.id, runAt: t0 + 5, step: nap }], { workerId: worker, now: t0 })).toBe(1);
      expect((await store.steps(wf!.id)).map((s) => keyOrder(s.result))).toEqual([expected, expected]);
      await store.sendEvent("e", value(), { now: t0 });
      const [event] = await store.findEvents("e", { since: t0, limit: 10 });
      expect(keyOrder(event!.data)).toEqual(expected);
    });
  });
}
