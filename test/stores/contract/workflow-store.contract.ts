// What flows, `after` and durable workflows need from every store (src/jobs/workflow-store.ts):
// dependency edges and their settling, steps, suspensions, events. Run by describeJobStoreContract.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { JobStore, NewJob } from "../../../src/jobs/store.ts";
import { type NewDependency, parkedRunAt } from "../../../src/jobs/workflow-store.ts";
import type { ContractOptions, JobStoreHarness } from "./job-store.contract.ts";

const t0 = 1_700_000_000_000;
const worker = "worker-a";
const lease = 30_000;

function job(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return { name, queue: "default", payload: { n: 1 }, priority: 0, runAt: t0, maxAttempts: 3, key: null, ...overrides };
}

const parked = (name: string, overrides: Partial<NewJob> = {}) => job(name, { runAt: parkedRunAt, ...overrides });
const child = (waiter: number, dependency: number, onFailure: "fail" | "continue" = "fail"): NewDependency => ({
  waiter,
  dependency,
  kind: "child",
  onFailure,
});

export function describeWorkflowStoreContract<Tx>(
  name: string,
  makeStore: () => Promise<JobStoreHarness<Tx>>,
  options: ContractOptions = {},
): void {
  describe(`JobStore contract (flows and workflows): ${name}`, () => {
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

    const claim = (names: string[], now = t0) =>
      store.claim({ workerId: worker, limit: 10, now, leaseMs: lease, names });
    const state = async (id: string) => (await store.get(id))!.state;
    const flow = (onFailure: "fail" | "continue" = "fail") =>
      store.enqueueGraph(
        [parked("parent"), job("child"), job("child"), job("child")],
        [child(0, 1, onFailure), child(0, 2, onFailure), child(0, 3, onFailure)],
        { now: t0 },
      );

    describe("dependencies", () => {
      test("a parent is parked until every child has succeeded, then ready; it lists its children", async () => {
        const [parent, ...children] = await flow();
        expect(await state(parent!.id)).toBe("scheduled");
        // Run now cannot start a parked parent ahead of its children.
        expect(await store.runNow(parent!.id, { now: t0 })).toBe(false);
        const claimed = await claim(["parent", "child"]);
        expect(claimed.map((c) => c.name)).toEqual(["child", "child", "child"]);
        await store.complete([children[0]!.id, children[1]!.id], { workerId: worker, now: t0 + 1 });
        expect(await store.settleDependencies({ now: t0 + 2 })).toEqual({ settled: 0, waiting: 1 });
        expect(await state(parent!.id)).toBe("scheduled");
        await store.complete([children[2]!.id], { workerId: worker, now: t0 + 3 });
        expect(await store.settleDependencies({ now: t0 + 4 })).toEqual({ settled: 1, waiting: 0 });
        expect((await store.get(parent!.id))!).toMatchObject({ state: "ready", runAt: t0 + 4 });
        expect((await store.dependencies(parent!.id, "child")).map((j) => j.id)).toEqual(children.map((c) => c.id));
        expect(await store.dependencies(parent!.id, "after")).toEqual([]);
        // Settled once: a second sweep finds nothing.
        expect(await store.settleDependencies({ now: t0 + 5 })).toEqual({ settled: 0, waiting: 0 });
      });

      test("jobs stored by the graph insert keep their trace context", async () => {
        const traceContext = JSON.stringify({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
        await store.enqueueGraph([parked("parent"), job("child", { traceContext })], [child(0, 1)], { now: t0 });
        const [claimed] = await claim(["child"]);
        expect(claimed!.traceContext).toBe(traceContext);
      });

      test("a dead child makes the parent dead, naming it; with continue the parent runs", async () => {
        for (const onFailure of ["fail", "continue"] as const) {
          const [parent, a, b, c] = await flow(onFailure);
          await claim(["child"]);
          await store.complete([a!.id, c!.id], { workerId: worker, now: t0 });
          const error = { attempt: 1, at: t0, name: "Error", message: "boom" };
          await store.fail([{ id: b!.id, error, retryAt: null }], { workerId: worker, now: t0 });
          await store.settleDependencies({ now: t0 + 1 });
          const record = (await store.get(parent!.id))!;
          if (onFailure === "continue") expect(record.state).toBe("ready");
          else {
            expect(record).toMatchObject({ state: "dead", finishedAt: t0 + 1 });
            expect(record.errors.at(-1)!.message).toContain(`Child job ${b!.id} (child) ended dead`);
          }
        }
      });

      test("a cancelled child fails its parent too; a cancelled dependency cancels an after job", async () => {
        const [parent, a] = await store.enqueueGraph([parked("parent"), job("child")], [child(0, 1)], { now: t0 });
        const [then] = await store.enqueueGraph(
          [parked("then")],
          [{ waiter: 0, dependency: { id: a!.id }, kind: "after", onFailure: "cancel" }],
          { now: t0 },
        );
        await store.cancel(a!.id, { now: t0 });
        await store.settleDependencies({ now: t0 + 1 });
        expect(await state(parent!.id)).toBe("dead");
        expect(await state(then!.id)).toBe("cancelled");
      });

      test("nested: a child that is itself a parent releases its parent once it ran", async () => {
        const [top, middle, leaf] = await store.enqueueGraph(
          [parked("top"), parked("middle"), job("leaf")],
          [child(0, 1), child(1, 2)],
          { now: t0 },
        );
        await claim(["leaf"]);
        await store.complete([leaf!.id], { workerId: worker, now: t0 });
        await store.settleDependencies({ now: t0 });
        expect([await state(top!.id), await state(middle!.id)]).toEqual(["scheduled", "ready"]);
        await claim(["middle"]);
        await store.complete([middle!.id], { workerId: worker, now: t0 });
        await store.settleDependencies({ now: t0 });
        expect(await state(top!.id)).toBe("ready");
      });

      test("after an existing job: runs once it succeeded; a dead dependency cancels it", async () => {
        const [first, second] = await store.enqueue([job("first"), job("second")], { now: t0 });
        const [ok] = await store.enqueueGraph(
          [parked("then")],
          [{ waiter: 0, dependency: { id: first!.id }, kind: "after", onFailure: "cancel" }],
          { now: t0 },
        );
        const [stopped] = await store.enqueueGraph(
          [parked("then")],
          [{ waiter: 0, dependency: { id: second!.id }, kind: "after", onFailure: "cancel" }],
          { now: t0 },
        );
        await claim(["first", "second"]);
        await store.complete([first!.id], { workerId: worker, now: t0 });
        const error = { attempt: 1, at: t0, name: "Error", message: "boom" };
        await store.fail([{ id: second!.id, error, retryAt: null }], { workerId: worker, now: t0 });
        expect(await store.settleDependencies({ now: t0 })).toEqual({ settled: 2, waiting: 0 });
        expect(await state(ok!.id)).toBe("ready");
        const record = (await store.get(stopped!.id))!;
        expect(record).toMatchObject({ state: "cancelled", finishedAt: t0 });
        expect(record.errors.at(-1)!.name).toBe("DependencyFailedError");
        expect((await store.dependencies(ok!.id, "after")).map((j) => j.id)).toEqual([first!.id]);
      });

      test("after ids that name no job (unknown, not decimal, past 64 bits) count as ended", async () => {
        for (const ids of [["99999999"], ["abc"], ["-5", "abc"], ["99999999999999999999"]]) {
          const [waiter] = await store.enqueueGraph(
            [parked("then")],
            ids.map((id) => ({ waiter: 0, dependency: { id }, kind: "after" as const, onFailure: "cancel" as const })),
            { now: t0 },
          );
          await store.settleDependencies({ now: t0 });
          expect(await state(waiter!.id)).toBe("ready");
        }
      });

      test("a waiter whose key matched an existing job gets no new edges", async () => {
        const [a] = await store.enqueueGraph([parked("p", { key: "k" }), job("c")], [child(0, 1)], { now: t0 });
        const [again] = await store.enqueueGraph([parked("p", { key: "k" }), job("c")], [child(0, 1)], { now: t0 });
        expect(again).toEqual({ id: a!.id, created: false });
        expect(await store.dependencies(a!.id, "child")).toHaveLength(1);
      });

      describe("a flow whose keyed job matched an existing job (options.flow)", () => {
        // parent(key) -> [middle -> [leaf], leaf]: depth first, as jobs.enqueueFlow hands it over.
        const keyedFlow = (tx?: Tx) => {
          const jobs = [parked("parent", { key: "order-1" }), parked("middle"), job("leaf"), job("leaf")];
          const deps = [child(0, 1), child(1, 2), child(0, 3)];
          const at = { now: t0, flow: [-1, 0, 1, 0], ...(tx === undefined ? {} : { tx }) };
          const sync = (store as Partial<{ enqueueGraphSync: JobStore<Tx>["enqueueGraph"] }>).enqueueGraphSync;
          return tx !== undefined && sync ? sync.call(store, jobs, deps, at) : store.enqueueGraph(jobs, deps, at);
        };
        const total = async () => (await store.counts()).reduce((sum, c) => sum + c.count, 0);

        test("a retried keyed flow writes nothing and returns the stored flow", async () => {
          const [parent, middle, leaf, other] = await keyedFlow();
          const again = await keyedFlow();
          expect(again[0]).toEqual({
            id: parent!.id,
            created: false,
            existing: {
              id: parent!.id,
              children: [
                { id: middle!.id, children: [{ id: leaf!.id, children: [] }] },
                { id: other!.id, children: [] },
              ],
            },
          });
          expect(again.slice(1).every((r) => r.skipped === true && !r.created)).toBe(true);
          expect(await total()).toBe(4);
          expect(await store.settleDependencies({ now: t0 })).toEqual({ settled: 0, waiting: 2 });
        });

        test("concurrent keyed flows: one is written, every call names it", async () => {
          const results = await Promise.all([keyedFlow(), keyedFlow(), keyedFlow()]);
          expect(results.filter((r) => r[0]!.created)).toHaveLength(1);
          expect(new Set(results.map((r) => r[0]!.id)).size).toBe(1);
          expect(await total()).toBe(4);
          const written = results.find((r) => r[0]!.created)!;
          for (const r of results.filter((r) => !r[0]!.created))
            expect(r[0]!.existing!.children.map((c) => c.id)).toEqual([written[1]!.id, written[3]!.id]);
        });

        test("a keyed child that matched: the new parent waits for it, nothing under it is written", async () => {
          const [existing] = await store.enqueueGraph([parked("sub", { key: "sub-1" }), job("leaf")], [child(0, 1)], {
            now: t0,
            flow: [-1, 0],
          });
          const results = await store.enqueueGraph(
            [parked("parent"), parked("sub", { key: "sub-1" }), job("leaf"), job("leaf")],
            [child(0, 1), child(1, 2), child(0, 3)],
            { now: t0, flow: [-1, 0, 1, 0] },
          );
          const [parent, sub, skipped, leaf] = results;
          expect(parent!.created).toBe(true);
          expect(sub).toMatchObject({ id: existing!.id, created: false });
          expect(sub!.existing!.children).toHaveLength(1);
          expect(skipped!.skipped).toBe(true);
          expect(leaf!.created).toBe(true);
          expect((await store.dependencies(parent!.id, "child")).map((j) => j.id)).toEqual([existing!.id, leaf!.id]);
          expect(await total()).toBe(4);
        });

        describe.if(options.transactions !== false)("in the caller's transaction", () => {
          test("twice in one transaction, or again after it committed: written once", async () => {
            const twice = (tx: Tx) => {
              const first = keyedFlow(tx);
              return first instanceof Promise ? first.then(() => keyedFlow(tx)) : keyedFlow(tx);
            };
            await harness.transaction!(twice, "commit");
            expect(await total()).toBe(4);
            await harness.transaction!(keyedFlow, "commit");
            expect(await total()).toBe(4);
          });
        });
      });

      describe.if(options.transactions !== false)("in the caller's transaction", () => {
        const enqueueIn = (tx: Tx) => {
          const sync = (store as Partial<{ enqueueGraphSync: JobStore<Tx>["enqueueGraph"] }>).enqueueGraphSync;
          const jobs = [parked("parent"), job("child"), job("child")];
          const deps = [child(0, 1), child(0, 2)];
          return sync ? sync.call(store, jobs, deps, { now: t0, tx }) : store.enqueueGraph(jobs, deps, { now: t0, tx });
        };

        test("a rolled-back flow leaves nothing; a committed one is whole", async () => {
          await harness.transaction!(enqueueIn, "rollback");
          expect(await store.counts()).toEqual([]);
          expect(await store.settleDependencies({ now: t0 })).toEqual({ settled: 0, waiting: 0 });
          await harness.transaction!(enqueueIn, "commit");
          expect(await store.settleDependencies({ now: t0 })).toEqual({ settled: 0, waiting: 1 });
        });
      });
    });

    describe("steps and suspensions", () => {
      test("steps are saved only while the job is held, and read back in order", async () => {
        const [wf] = await store.enqueue([job("wf")], { now: t0 });
        const step = { id: "a", seq: 0, result: { x: 1 }, done: true };
        expect(await store.saveStep(wf!.id, step, { workerId: worker, now: t0 })).toBe(false);
        await claim(["wf"]);
        expect(await store.saveStep(wf!.id, step, { workerId: "other", now: t0 })).toBe(false);
        expect(
          await store.saveStep(
            wf!.id,
            { id: "b", seq: 1, result: undefined, done: true },
            { workerId: worker, now: t0 },
          ),
        ).toBe(true);
        expect(await store.saveStep(wf!.id, step, { workerId: worker, now: t0 })).toBe(true);
        expect(await store.steps(wf!.id)).toEqual([step, { id: "b", seq: 1, result: undefined, done: true }]);
        // A JSON null is a result, not the absence of one.
        await store.saveStep(wf!.id, { id: "c", seq: 2, result: null, done: true }, { workerId: worker, now: t0 });
        expect((await store.steps(wf!.id))[2]).toEqual({ id: "c", seq: 2, result: null, done: true });
      });

      test("suspend gives the attempt back and reschedules, writing its step; only for the holder", async () => {
        const [wf] = await store.enqueue([job("wf")], { now: t0 });
        await claim(["wf"]);
        const step = { id: "nap", seq: 0, result: { until: t0 + 5_000 }, done: true };
        expect(await store.suspend([{ id: wf!.id, runAt: t0 + 5_000, step }], { workerId: "other", now: t0 })).toBe(0);
        expect(await store.suspend([{ id: wf!.id, runAt: t0 + 5_000, step }], { workerId: worker, now: t0 })).toBe(1);
        expect(await store.get(wf!.id)).toMatchObject({
          state: "scheduled",
          runAt: t0 + 5_000,
          attempts: 0,
          lockedBy: null,
        });
        expect(await store.steps(wf!.id)).toEqual([step]);
        expect(await claim(["wf"], t0 + 4_999)).toEqual([]);
        expect((await claim(["wf"], t0 + 5_000)).map((c) => c.attempt)).toEqual([1]);
      });

      test("an event wakes its waiters at once; it is kept for later waits; another name wakes nobody", async () => {
        const [a, b] = await store.enqueue([job("wf"), job("wf")], { now: t0 });
        await claim(["wf"]);
        for (const id of [a!.id, b!.id])
          await store.suspend([{ id, runAt: parkedRunAt, wait: { event: `e-${id}`, since: t0 } }], {
            workerId: worker,
            now: t0,
          });
        expect(await store.sendEvent("nobody", 1, { now: t0 + 1 })).toBe(0);
        expect(await store.sendEvent(`e-${a!.id}`, { ok: true }, { now: t0 + 2 })).toBe(1);
        expect(await store.get(a!.id)).toMatchObject({ state: "ready", runAt: t0 + 2 });
        expect(await state(b!.id)).toBe("scheduled");
        expect(await store.findEvents(`e-${a!.id}`, { since: t0, limit: 10 })).toEqual([
          { id: expect.any(String), data: { ok: true }, sentAt: t0 + 2 },
        ]);
        expect(await store.findEvents(`e-${a!.id}`, { since: t0 + 3, limit: 10 })).toEqual([]);
        // The woken workflow clears its wait when it stores the step: a second event wakes nobody.
        await claim(["wf"], t0 + 2);
        expect(
          await store.saveStep(
            a!.id,
            { id: "w", seq: 0, result: { ok: true }, done: true },
            { workerId: worker, now: t0, clearWait: true },
          ),
        ).toBe(true);
        await store.suspend([{ id: a!.id, runAt: t0 + 100 }], { workerId: worker, now: t0 });
        expect(await store.sendEvent(`e-${a!.id}`, null, { now: t0 + 3 })).toBe(0);
      });

      test("an event sent before the wait begins is found by suspend: due at once", async () => {
        const [wf] = await store.enqueue([job("wf")], { now: t0 });
        await store.sendEvent("early", 7, { now: t0 + 1 });
        await claim(["wf"], t0 + 2);
        await store.suspend([{ id: wf!.id, runAt: t0 + 60_000, wait: { event: "early", since: t0 } }], {
          workerId: worker,
          now: t0 + 3,
        });
        expect(await store.get(wf!.id)).toMatchObject({ state: "scheduled", runAt: t0 + 3 });
      });

      test("events of one name come in order after a cursor; suspend ignores events at or before it", async () => {
        for (const [i, at] of [t0 + 1, t0 + 1, t0 + 2].entries()) await store.sendEvent("e", i, { now: at });
        await store.sendEvent("other", "x", { now: t0 + 1 });
        const all = await store.findEvents("e", { since: t0, limit: 10 });
        expect(all.map((e) => e.data)).toEqual([0, 1, 2]);
        expect((await store.findEvents("e", { since: t0, afterId: all[0]!.id, limit: 1 })).map((e) => e.data)).toEqual([
          1,
        ]);
        expect(await store.findEvents("e", { since: t0, afterId: all[2]!.id, limit: 10 })).toEqual([]);
        const [wf] = await store.enqueue([job("wf")], { now: t0 });
        await claim(["wf"], t0 + 3);
        await store.suspend(
          [{ id: wf!.id, runAt: t0 + 60_000, wait: { event: "e", since: t0, afterId: all[2]!.id } }],
          { workerId: worker, now: t0 + 3 },
        );
        expect(await store.get(wf!.id)).toMatchObject({ state: "scheduled", runAt: t0 + 60_000 });
        expect(await store.sendEvent("e", 3, { now: t0 + 4 })).toBe(1);
      });

      test("prune and discard remove steps, waits and edges with their job; old events go", async () => {
        const [wf, other] = await store.enqueue([job("wf"), job("wf")], { now: t0 });
        await claim(["wf"]);
        await store.saveStep(wf!.id, { id: "a", seq: 0, result: 1, done: true }, { workerId: worker, now: t0 });
        await store.saveStep(other!.id, { id: "a", seq: 0, result: 1, done: true }, { workerId: worker, now: t0 });
        await store.complete([wf!.id], { workerId: worker, now: t0 });
        await store.suspend([{ id: other!.id, runAt: t0 + 10 }], { workerId: worker, now: t0 });
        await store.sendEvent("old", 1, { now: t0 });
        await store.sendEvent("new", 1, { now: t0 + 10_000 });
        expect(await store.prune({ finishedBefore: t0 + 1 })).toBe(1);
        expect(await store.steps(wf!.id)).toEqual([]);
        expect(await store.findEvents("old", { since: 0, limit: 10 })).toEqual([]);
        expect(await store.findEvents("new", { since: 0, limit: 10 })).toHaveLength(1);
        expect(await store.discard(other!.id)).toBe(true);
        expect(await store.steps(other!.id)).toEqual([]);
      });
    });
  });
}
