// Flows, `after` and durable workflows on SQLite: dependency edges, steps, event waits and events
// (src/jobs/workflow-store.ts). Each call is one transaction; none runs for an ordinary job.
import type { Database } from "bun:sqlite";
import type { JobRecord, NewJob, WorkerOptions } from "../../../jobs/store.ts";
import {
  type DependencyKind,
  type EnqueuedGraphJob,
  type FindEventsOptions,
  type GraphOptions,
  type NewDependency,
  parkedRunAt,
  type StoredEvent,
  type StoredStep,
  type Suspension,
  skippedJob,
  storedFlow,
  underMatchedKey,
} from "../../../jobs/workflow-store.ts";
import { dependencyFailure } from "../../common.ts";
import { enqueueInTransaction, inline, type SqliteTx } from "./enqueue.ts";
import { type JobRow, toJobRecord, toRowId } from "./rows.ts";

const insertDependencySql = `INSERT INTO errand_job_dependencies (waiter_id, dependency_id, kind, on_failure)
  VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING`;

// Waiters none of whose unsettled dependencies is still pending or running; a deleted dependency
// counts as ended. `failed` is the first dependency that ended dead or cancelled, if any.
const settleableSql = `SELECT d.waiter_id AS waiter,
    sum(j.id IS NOT NULL AND j.state NOT IN ('succeeded', 'dead', 'cancelled')) AS open,
    min(CASE WHEN j.state IN ('dead', 'cancelled') THEN j.id END) AS failed
  FROM errand_job_dependencies d LEFT JOIN errand_jobs j ON j.id = d.dependency_id
  WHERE d.settled = 0 GROUP BY d.waiter_id`;
const edgeSql = "SELECT kind, on_failure FROM errand_job_dependencies WHERE waiter_id = ?1 AND dependency_id = ?2";
const markSettledSql = "UPDATE errand_job_dependencies SET settled = 1 WHERE waiter_id = ?1";
const releaseSql = `UPDATE errand_jobs SET state = 'ready', run_at = ?1
  WHERE id = ?2 AND state = 'scheduled' AND run_at = ${parkedRunAt}`;
const failWaiterSql = `UPDATE errand_jobs SET state = ?4, finished_at = ?1,
    errors = json_insert(errors, '$[#]', json_set(json(?2), '$.attempt', attempts))
  WHERE id = ?3 AND state = 'scheduled' AND run_at = ${parkedRunAt}`;
// The child edges under the given jobs (a JSON array of ids), to dependencies still stored, at most 64 levels.
const flowEdgesSql = `WITH RECURSIVE under(id, depth) AS (
    SELECT value, 0 FROM json_each(?1)
    UNION SELECT d.dependency_id, under.depth + 1 FROM under
      JOIN errand_job_dependencies d ON d.waiter_id = under.id AND d.kind = 'child' WHERE under.depth < 64
  )
  SELECT DISTINCT d.waiter_id AS waiter, d.dependency_id AS dependency
  FROM errand_job_dependencies d JOIN errand_jobs j ON j.id = d.dependency_id
  WHERE d.kind = 'child' AND d.waiter_id IN (SELECT id FROM under) ORDER BY d.dependency_id`;
const dependenciesSql = `SELECT j.* FROM errand_job_dependencies d JOIN errand_jobs j ON j.id = d.dependency_id
  WHERE d.waiter_id = ?1 AND d.kind = ?2 ORDER BY j.id`;

const stepsSql = "SELECT step_id, seq, result, done FROM errand_workflow_steps WHERE job_id = ?1 ORDER BY seq";
const heldSql = "SELECT 1 AS held FROM errand_jobs WHERE id = ?1 AND state = 'running' AND locked_by = ?2";
const saveStepSql = `INSERT INTO errand_workflow_steps (job_id, step_id, seq, result, done) VALUES (?1, ?2, ?3, ?4, ?5)
  ON CONFLICT (job_id, step_id) DO UPDATE SET seq = excluded.seq, result = excluded.result, done = excluded.done`;
const clearWaitSql = "DELETE FROM errand_event_waits WHERE job_id = ?1";
const waitSql = `INSERT INTO errand_event_waits (job_id, event) VALUES (?1, ?2)
  ON CONFLICT (job_id) DO UPDATE SET event = excluded.event`;
// The attempt is given back: a sleep or a wait is no failure and must not use up the budget.
const suspendSql = `UPDATE errand_jobs SET state = 'scheduled', run_at = ?1, attempts = max(attempts - 1, 0),
    locked_by = NULL, lease_expires_at = NULL
  WHERE id = ?2 AND state = 'running' AND locked_by = ?3`;
// A cursor of 0 means "from the first": event ids start at 1.
const findEventsSql =
  "SELECT id, data, sent_at FROM errand_events WHERE name = ?1 AND sent_at >= ?2 AND id > ?3 ORDER BY id LIMIT ?4";
const anyEventSql = "SELECT id FROM errand_events WHERE name = ?1 AND sent_at >= ?2 AND id > ?3 LIMIT 1";
const insertEventSql = "INSERT INTO errand_events (name, data, sent_at) VALUES (?1, ?2, ?3)";
const wakeWaitersSql = `UPDATE errand_jobs SET state = 'ready', run_at = ?1
  WHERE id IN (SELECT job_id FROM errand_event_waits WHERE event = ?2) AND state = 'scheduled'`;

type StepRow = { step_id: string; seq: number; result: string | null; done: number };
type Settleable = { waiter: number; open: number; failed: number | null };

export interface SqliteWorkflows {
  enqueueGraph(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    options: { now: number; tx?: SqliteTx | undefined; flow?: GraphOptions<SqliteTx>["flow"] },
  ): EnqueuedGraphJob[];
  settle(now: number): { settled: number; waiting: number };
  dependencies(id: string, kind: DependencyKind): JobRecord[];
  steps(id: string): StoredStep[];
  saveStep(id: string, step: StoredStep, o: WorkerOptions & { clearWait?: boolean }): boolean;
  suspend(suspensions: readonly Suspension[], o: WorkerOptions): number;
  sendEvent(event: string, data: unknown, now: number): number;
  findEvents(event: string, options: FindEventsOptions): StoredEvent[];
}

export function prepareWorkflows(db: Database): SqliteWorkflows {
  const own: SqliteTx = {
    all<T>(query: string): T[] {
      return db.query(query).all() as T[];
    },
  };
  const graph = (
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    now: number,
    tx: SqliteTx,
    flow: readonly number[] | undefined,
  ) => {
    const results = flow ? enqueueFlow(tx, jobs, flow, now) : enqueueInTransaction(tx, jobs, now);
    for (const d of dependencies) {
      const waiter = results[d.waiter]!;
      if (!waiter.created) continue;
      // An id no job can have names no job: it counts as ended, like a pruned one (id 0 is never used).
      const dependency = toRowId(typeof d.dependency === "number" ? results[d.dependency]!.id : d.dependency.id) ?? 0;
      tx.all(inline(insertDependencySql, [Number(waiter.id), dependency, d.kind, d.onFailure]));
    }
    return results;
  };
  const graphOwn = db.transaction(
    (jobs: readonly NewJob[], dependencies: readonly NewDependency[], now: number, flow?: readonly number[]) =>
      graph(jobs, dependencies, now, own, flow),
  );

  const settleable = db.prepare<Settleable, []>(settleableSql);
  const edge = db.prepare<{ kind: DependencyKind; on_failure: "fail" | "continue" | "cancel" }, [number, number]>(
    edgeSql,
  );
  const jobById = db.prepare<JobRow, [number]>("SELECT * FROM errand_jobs WHERE id = ?1");
  const markSettled = db.prepare<never, [number]>(markSettledSql);
  const release = db.prepare<never, [number, number]>(releaseSql);
  const failWaiter = db.prepare<never, [number, string, number, string]>(failWaiterSql);
  const settle = db.transaction((now: number) => {
    let settled = 0;
    let waiting = 0;
    for (const { waiter, open, failed } of settleable.all()) {
      if (open > 0) {
        waiting++;
        continue;
      }
      markSettled.run(waiter);
      const dependency = failed === null ? null : jobById.get(failed);
      const e = dependency ? edge.get(waiter, dependency.id) : null;
      const failure =
        dependency && e
          ? dependencyFailure(
              { kind: e.kind, onFailure: e.on_failure },
              { ...dependency, id: String(dependency.id) },
              now,
            )
          : null;
      const changed = failure
        ? failWaiter.run(now, JSON.stringify(failure.error), waiter, failure.state).changes
        : release.run(now, waiter).changes;
      settled += changed;
    }
    return { settled, waiting };
  });

  const dependencies = db.prepare<JobRow, [number | null, string]>(dependenciesSql);
  const steps = db.prepare<StepRow, [number | null]>(stepsSql);
  const held = db.prepare<{ held: number }, [number | null, string]>(heldSql);
  const saveStep = db.prepare<never, [number | null, string, number, string | null, number]>(saveStepSql);
  const clearWait = db.prepare<never, [number | null]>(clearWaitSql);
  const stepParams = (id: number | null, s: StoredStep): [number | null, string, number, string | null, number] => [
    id,
    s.id,
    s.seq,
    s.result === undefined ? null : JSON.stringify(s.result),
    s.done ? 1 : 0,
  ];
  const save = db.transaction((id: string, step: StoredStep, o: WorkerOptions & { clearWait?: boolean }) => {
    const rowId = toRowId(id);
    if (!held.get(rowId, o.workerId)) return false;
    saveStep.run(...stepParams(rowId, step));
    if (o.clearWait) clearWait.run(rowId);
    return true;
  });

  const wait = db.prepare<never, [number | null, string]>(waitSql);
  const suspendOne = db.prepare<never, [number, number | null, string]>(suspendSql);
  const findEvents = db.prepare<{ id: number; data: string; sent_at: number }, [string, number, number, number]>(
    findEventsSql,
  );
  const anyEvent = db.prepare<{ id: number }, [string, number, number]>(anyEventSql);
  const cursor = (afterId: string | null | undefined) => (afterId ? (toRowId(afterId) ?? 0) : 0);
  const suspend = db.transaction((suspensions: readonly Suspension[], o: WorkerOptions) => {
    let changed = 0;
    for (const s of suspensions) {
      const rowId = toRowId(s.id);
      if (!held.get(rowId, o.workerId)) continue;
      if (s.step) saveStep.run(...stepParams(rowId, s.step));
      let runAt = s.runAt;
      if (s.wait) {
        wait.run(rowId, s.wait.event);
        // An event sent while the workflow ran would otherwise find no waiter and be missed.
        if (anyEvent.get(s.wait.event, s.wait.since, cursor(s.wait.afterId))) runAt = o.now;
      }
      changed += suspendOne.run(runAt, rowId, o.workerId).changes;
    }
    return changed;
  });

  const insertEvent = db.prepare<never, [string, string, number]>(insertEventSql);
  const wakeWaiters = db.prepare<never, [number, string]>(wakeWaitersSql);
  const send = db.transaction((event: string, data: unknown, now: number) => {
    insertEvent.run(event, JSON.stringify(data ?? null), now);
    return wakeWaiters.run(now, event).changes;
  });

  return {
    enqueueGraph: (jobs, deps, { now, tx, flow }) =>
      tx ? graph(jobs, deps, now, tx, flow) : graphOwn(jobs, deps, now, flow),
    settle: (now) => settle(now),
    dependencies: (id, kind) => dependencies.all(toRowId(id), kind).map(toJobRecord),
    steps: (id) =>
      steps.all(toRowId(id)).map((row) => ({
        id: row.step_id,
        seq: row.seq,
        result: row.result === null ? undefined : JSON.parse(row.result),
        done: row.done === 1,
      })),
    saveStep: (id, step, o) => save(id, step, o),
    suspend: (suspensions, o) => (suspensions.length === 0 ? 0 : suspend(suspensions, o)),
    sendEvent: (event, data, now) => send(event, data, now),
    findEvents: (event, { since, afterId, limit }) =>
      findEvents
        .all(event, since, cursor(afterId), limit)
        .map((row) => ({ id: String(row.id), data: JSON.parse(row.data), sentAt: row.sent_at })),
  };
}

/** One job at a time, depth first: a job whose key matched stands for its subtree, which is skipped. */
function enqueueFlow(tx: SqliteTx, jobs: readonly NewJob[], parents: readonly number[], now: number) {
  const results: EnqueuedGraphJob[] = [];
  for (const [i, job] of jobs.entries()) {
    results.push(underMatchedKey(parents, i, results) ? skippedJob : enqueueInTransaction(tx, [job], now)[0]!);
  }
  const matched = results.filter((result) => !result.created && !result.skipped).map((result) => Number(result.id));
  if (matched.length === 0) return results;
  const childrenOf = new Map<string, string[]>();
  for (const { waiter, dependency } of tx.all<{ waiter: number; dependency: number }>(
    inline(flowEdgesSql, [JSON.stringify(matched)]),
  ))
    childrenOf.set(String(waiter), [...(childrenOf.get(String(waiter)) ?? []), String(dependency)]);
  return results.map((result) =>
    !result.created && !result.skipped ? { ...result, existing: storedFlow(result.id, childrenOf) } : result,
  );
}
