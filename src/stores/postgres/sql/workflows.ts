// Flows, `after` and durable workflows on PostgreSQL: dependency edges, steps, event waits and events
// (src/jobs/workflow-store.ts). On the default-durability pool: a step result, an event or an edge
// acknowledged must survive a server crash. None of these runs for an ordinary job.
import type { JobRecord, NewJob, WorkerOptions } from "../../../jobs/store.ts";
import {
  type DependencyKind,
  type EnqueuedGraphJob,
  type FindEventsOptions,
  type NewDependency,
  parkedRunAt,
  type StoredEvent,
  type StoredStep,
  type Suspension,
  skippedJob,
  storedFlow,
  underMatchedKey,
} from "../../../jobs/workflow-store.ts";
import { dependencyFailure, isJobId } from "../../common.ts";
import type { PostgresTx, StoreContext } from "../context.ts";
import { KeyConflictError } from "../errors.ts";
import { type Fragment, identifier, sql } from "../template.ts";
import { insertedJobs, insertJobs, jobInput, runInTransaction, toInput } from "./enqueue.ts";
import { type JobRow, toJobRecord } from "./rows.ts";

const table = (ctx: StoreContext, name: string) => identifier(ctx.schema, name);

/**
 * Jobs and edges in one statement: ids are drawn from the sequence first, so each edge knows its ends
 * before anything is inserted; a job whose key matched an existing one gets no edges as a waiter. In a
 * flow, each keyed job with children is inserted by its own step, and the jobs under it only if that
 * step inserted it (gatedJobs): a matched key writes nothing under it, however the race went.
 */
export async function enqueueGraph(
  ctx: StoreContext,
  jobs: readonly NewJob[],
  dependencies: readonly NewDependency[],
  now: number,
  tx?: PostgresTx,
  flow?: readonly number[],
): Promise<EnqueuedGraphJob[]> {
  if (jobs.length === 0) return [];
  const input = toInput(
    jobs,
    jobs.map((_, ord) => ord),
    tx,
  );
  const edges = JSON.stringify(
    dependencies.map((d) => ({
      waiter: d.waiter,
      dep: typeof d.dependency === "number" ? d.dependency : null,
      // An id no job can have names no job: it counts as ended, like a pruned one (id 0 is never used).
      dep_id: typeof d.dependency === "number" ? null : isJobId(d.dependency.id) ? d.dependency.id : "0",
      kind: d.kind,
      on_failure: d.onFailure,
    })),
  );
  const statement = sql`
    with ${flow ? gatedJobs(ctx, input, jobs, flow, now) : insertedJobs(ctx, input, now)},
    ids as (
      select i.ord, coalesce(ins.id, existing.id) as id, ins.id is not null as created
      from input i
      left join inserted ins on ins.id = i.id
      left join ${ctx.jobs} existing on ins.id is null and existing.key = i.key
    ),
    edges as (
      insert into ${table(ctx, "job_dependencies")} (waiter_id, dependency_id, kind, on_failure)
      select w.id, coalesce(d.id, e.dep_id), e.kind, e.on_failure
      from jsonb_to_recordset(${edges}::text::jsonb) as e(waiter int, dep int, dep_id bigint, kind text, on_failure text)
      join ids w on w.ord = e.waiter and w.created
      left join ids d on d.ord = e.dep
      where coalesce(d.id, e.dep_id) is not null
      on conflict do nothing
    )
    select ord, id::text as id, created,
      (select count(*) from (
        select pg_notify(${ctx.channel}, '') from inserted where run_at <= ${now}::bigint limit 1
      ) due) as woke
    from ids order by ord`;
  function run<R>(fragment: Fragment): Promise<R[]> {
    return tx ? runInTransaction<R>(tx, fragment) : ctx.db<R>`${fragment}`;
  }
  const rows = await run<{ id: string | null; created: boolean }>(statement);
  const results: EnqueuedGraphJob[] = [];
  for (const [ord, row] of rows.entries()) {
    if (flow && underMatchedKey(flow, ord, results)) results.push(skippedJob);
    else if (row.id !== null) results.push({ id: row.id, created: row.created });
    else {
      // A key taken by a transaction that committed after this statement's snapshot (see enqueue.ts).
      const key = jobs[ord]!.key;
      const [found] = await run<{ id: string }>(sql`select id::text as id from ${ctx.jobs} where key = ${key}`);
      if (!found) throw new KeyConflictError([key ?? ""]);
      results.push({ id: found.id, created: false });
    }
  }
  return flow ? withStoredFlows(ctx, results, run) : results;
}

/**
 * `input` and `inserted` for a flow: a step per keyed job with children (ancestors first, as the flow
 * is depth first), each inserting only when its nearest keyed ancestor's step did, and one step for the
 * other jobs, each under the same condition. A step sees another's inserted rows through `returning`.
 */
function gatedJobs(
  ctx: StoreContext,
  input: string,
  jobs: readonly NewJob[],
  parents: readonly number[],
  now: number,
): Fragment {
  const gates = jobs.flatMap((job, i) => (job.key !== null && parents.includes(i) ? [i] : []));
  if (gates.length === 0) return insertedJobs(ctx, input, now);
  const gateOf = (i: number): number => {
    for (let at = parents[i]!; at >= 0; at = parents[at]!) if (gates.includes(at)) return at;
    return -1;
  };
  const step = (gate: number) => identifier(`gate_${gate}`);
  const open = (gate: number) => (gate < 0 ? sql`true` : sql`exists (select 1 from ${step(gate)})`);
  let steps = jobInput(ctx, input);
  for (const gate of gates)
    steps = sql`${steps},
    ${step(gate)} as (${insertJobs(ctx, sql`ord = ${gate}::int and ${open(gateOf(gate))}`, now)})`;
  const others = new Map<number, number[]>();
  for (const i of jobs.keys()) if (!gates.includes(i)) others.set(gateOf(i), [...(others.get(gateOf(i)) ?? []), i]);
  let where = sql`false`;
  for (const [gate, ords] of others)
    where = sql`${where} or (ord in (select value::int from json_array_elements_text(${JSON.stringify(ords)}::text::json)) and ${open(gate)})`;
  let inserted = sql`select id, run_at from rest`;
  for (const gate of gates) inserted = sql`${inserted} union all select id, run_at from ${step(gate)}`;
  return sql`${steps},
    rest as (${insertJobs(ctx, where, now)}),
    inserted as (${inserted})`;
}

/** Each job of a flow whose key matched, with that job's stored flow (read after the insert). */
async function withStoredFlows(
  ctx: StoreContext,
  results: EnqueuedGraphJob[],
  run: <R>(fragment: Fragment) => Promise<R[]>,
): Promise<EnqueuedGraphJob[]> {
  const matched = results.filter((result) => !result.created && !result.skipped).map((result) => result.id);
  if (matched.length === 0) return results;
  const edges = table(ctx, "job_dependencies");
  const rows = await run<{ waiter: string; dependency: string }>(sql`
    with recursive under(id, depth) as (
      select value::bigint, 0 from jsonb_array_elements_text(${JSON.stringify(matched)}::text::jsonb)
      union select d.dependency_id, under.depth + 1 from under
        join ${edges} d on d.waiter_id = under.id and d.kind = 'child' where under.depth < 64
    )
    select distinct d.waiter_id::text as waiter, d.dependency_id::text as dependency, d.dependency_id
    from ${edges} d join ${ctx.jobs} j on j.id = d.dependency_id
    where d.kind = 'child' and d.waiter_id in (select id from under) order by d.dependency_id`);
  const childrenOf = new Map<string, string[]>();
  for (const { waiter, dependency } of rows) childrenOf.set(waiter, [...(childrenOf.get(waiter) ?? []), dependency]);
  return results.map((result) =>
    !result.created && !result.skipped ? { ...result, existing: storedFlow(result.id, childrenOf) } : result,
  );
}

type Settleable = { waiter: string; open: string; failed: string | null };

/**
 * Waiters whose unsettled dependencies have all ended. No transaction: each waiter is released (or
 * failed) first and its edges marked settled after, so a crash between the two leaves it to the next
 * sweep, whose update then changes nothing (it applies only to a waiter still parked) — which also
 * makes concurrent sweeps from many processes harmless. With no waiter, a sweep is one select.
 */
export async function settleDependencies(
  ctx: StoreContext,
  now: number,
): Promise<{ settled: number; waiting: number }> {
  const rows = await ctx.db<Settleable>`
    select d.waiter_id::text as waiter,
      count(*) filter (where j.id is not null and j.state not in ('succeeded', 'dead', 'cancelled')) as open,
      min(j.id) filter (where j.state in ('dead', 'cancelled'))::text as failed
    from ${table(ctx, "job_dependencies")} d left join ${ctx.jobs} j on j.id = d.dependency_id
    where d.settled = 0 group by d.waiter_id`;
  let settled = 0;
  let waiting = 0;
  for (const row of rows) {
    if (Number(row.open) > 0) waiting++;
    else settled += await settleOne(ctx, row, now);
  }
  if (settled > 0) ctx.notify();
  return { settled, waiting };
}

async function settleOne(ctx: StoreContext, { waiter, failed }: Settleable, now: number): Promise<number> {
  const edges = table(ctx, "job_dependencies");
  const parked = sql`id = ${waiter}::bigint and state = 'scheduled' and run_at = ${parkedRunAt}::bigint`;
  let failure: ReturnType<typeof dependencyFailure> = null;
  if (failed !== null) {
    const [dep] = await ctx.db<{ id: string; name: string; state: string; kind: DependencyKind; on_failure: string }>`
      select j.id::text as id, j.name, j.state, d.kind, d.on_failure
      from ${ctx.jobs} j join ${edges} d on d.dependency_id = j.id and d.waiter_id = ${waiter}::bigint
      where j.id = ${failed}::bigint`;
    if (dep) failure = dependencyFailure({ kind: dep.kind, onFailure: dep.on_failure as "fail" }, dep, now);
  }
  const result = failure
    ? await ctx.db`update ${ctx.jobs} set state = ${failure.state}, finished_at = ${now}::bigint,
        errors = errors || jsonb_build_array(${JSON.stringify(failure.error)}::jsonb || jsonb_build_object('attempt', attempts))
        where ${parked}`
    : await ctx.db`update ${ctx.jobs} set state = 'ready', run_at = ${now}::bigint where ${parked}`;
  await ctx.db`update ${edges} set settled = 1 where waiter_id = ${waiter}::bigint`;
  return result.count;
}

export async function dependencies(ctx: StoreContext, id: string, kind: DependencyKind): Promise<JobRecord[]> {
  if (!isJobId(id)) return [];
  const rows = await ctx.db<JobRow>`
    select j.*, j.result::text as result_json from ${table(ctx, "job_dependencies")} d join ${ctx.jobs} j on j.id = d.dependency_id
    where d.waiter_id = ${id}::bigint and d.kind = ${kind} order by j.id`;
  return rows.map(toJobRecord);
}

export async function steps(ctx: StoreContext, id: string): Promise<StoredStep[]> {
  if (!isJobId(id)) return [];
  // As text: a JSON null (a step that returned null) must not read back as SQL NULL (no result).
  const rows = await ctx.db<{ step_id: string; seq: number; result: string | null; done: number }>`
    select step_id, seq, result::text as result, done from ${table(ctx, "workflow_steps")}
    where job_id = ${id}::bigint order by seq`;
  return rows.map((row) => ({
    id: row.step_id,
    seq: row.seq,
    result: row.result === null ? undefined : JSON.parse(row.result),
    done: row.done === 1,
  }));
}

function upsertStep(ctx: StoreContext, id: string, step: StoredStep): Fragment {
  const result = step.result === undefined ? null : JSON.stringify(step.result);
  return sql`
    insert into ${table(ctx, "workflow_steps")} (job_id, step_id, seq, result, done)
    values (${id}::bigint, ${step.id}, ${step.seq}::int, ${result}::text::json, ${step.done ? 1 : 0}::int)
    on conflict (job_id, step_id) do update set seq = excluded.seq, result = excluded.result, done = excluded.done`;
}

/** One statement: the step is written only if the job still runs under this worker. */
export async function saveStep(
  ctx: StoreContext,
  id: string,
  step: StoredStep,
  o: WorkerOptions & { clearWait?: boolean },
): Promise<boolean> {
  if (!isJobId(id)) return false;
  const result = step.result === undefined ? null : JSON.stringify(step.result);
  const [row] = await ctx.db<{ saved: number }>`
    with held as (
      select id from ${ctx.jobs} where id = ${id}::bigint and state = 'running' and locked_by = ${o.workerId}
    ),
    saved as (
      insert into ${table(ctx, "workflow_steps")} (job_id, step_id, seq, result, done)
      select id, ${step.id}, ${step.seq}::int, ${result}::text::json, ${step.done ? 1 : 0}::int from held
      on conflict (job_id, step_id) do update set seq = excluded.seq, result = excluded.result, done = excluded.done
      returning 1
    ),
    cleared as (
      delete from ${table(ctx, "event_waits")} where ${o.clearWait === true}::boolean and job_id in (select id from held)
    )
    select count(*)::int as saved from saved`;
  return row!.saved === 1;
}

/**
 * Each suspension in one transaction. An event wait takes the event's advisory lock first, as
 * sendEvent does, so an event sent while the workflow parks either finds the wait row or is found
 * by the check below: never neither.
 */
export async function suspend(
  ctx: StoreContext,
  suspensions: readonly Suspension[],
  o: WorkerOptions,
): Promise<number> {
  let changed = 0;
  for (const s of suspensions) {
    if (!isJobId(s.id)) continue;
    changed += await ctx.begin(async (q) => {
      const [held] = await q`
        select 1 from ${ctx.jobs} where id = ${s.id}::bigint and state = 'running' and locked_by = ${o.workerId} for update`;
      if (!held) return 0;
      if (s.step) await q`${upsertStep(ctx, s.id, s.step)}`;
      let runAt = s.runAt;
      if (s.wait) {
        await q`select pg_advisory_xact_lock(hashtext(${s.wait.event}))`;
        await q`insert into ${table(ctx, "event_waits")} (job_id, event) values (${s.id}::bigint, ${s.wait.event})
          on conflict (job_id) do update set event = excluded.event`;
        const [sent] = await q`select 1 from ${table(ctx, "events")}
          where name = ${s.wait.event} and sent_at >= ${s.wait.since}::bigint and id > ${cursor(s.wait.afterId)}::bigint
          limit 1`;
        if (sent) runAt = o.now;
      }
      const result = await q`
        update ${ctx.jobs} set state = 'scheduled', run_at = ${runAt}::bigint, attempts = greatest(attempts - 1, 0),
          locked_by = null, lease_expires_at = null
        where id = ${s.id}::bigint and state = 'running' and locked_by = ${o.workerId}`;
      return result.count;
    });
  }
  return changed;
}

export async function sendEvent(ctx: StoreContext, event: string, data: unknown, now: number): Promise<number> {
  const woken = await ctx.begin(async (q) => {
    await q`select pg_advisory_xact_lock(hashtext(${event}))`;
    const result = await q`
      with sent as (
        insert into ${table(ctx, "events")} (name, data, sent_at) values (${event}, ${JSON.stringify(data ?? null)}::text::json, ${now}::bigint)
      )
      update ${ctx.jobs} set state = 'ready', run_at = ${now}::bigint
      where id in (select job_id from ${table(ctx, "event_waits")} where event = ${event}) and state = 'scheduled'`;
    return result.count;
  });
  if (woken > 0) ctx.notify();
  return woken;
}

/** Ids of one name increase in commit order: sendEvent takes the name's advisory lock before nextval. */
export async function findEvents(
  ctx: StoreContext,
  event: string,
  { since, afterId, limit }: FindEventsOptions,
): Promise<StoredEvent[]> {
  const rows = await ctx.db<{ id: string; data: unknown; sent_at: string }>`
    select id::text as id, data, sent_at from ${table(ctx, "events")}
    where name = ${event} and sent_at >= ${since}::bigint and id > ${cursor(afterId)}::bigint
    order by id limit ${limit}::int`;
  return rows.map((row) => ({ id: row.id, data: row.data, sentAt: Number(row.sent_at) }));
}

/** An event cursor as a bigint parameter: 0 (before the first event) when there is none. */
function cursor(afterId: string | null | undefined): string {
  return afterId && isJobId(afterId) ? afterId : "0";
}
