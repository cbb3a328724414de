// Inspection and manual intervention: get, list, counts, retry, run now, discard, prune. On the default-durability
// pool (ctx.db): an operator's retry or discard must not be forgotten by a server crash.
import type { CancelledJob, JobCount, JobPage, JobRecord, ListOptions, PruneOptions } from "../../../jobs/store.ts";
import { parkedRunAt } from "../../../jobs/workflow-store.ts";
import { isJobId, pageSize } from "../../common.ts";
import type { StoreContext } from "../context.ts";
import { empty, type Fragment, identifier, sql } from "../template.ts";
import { type JobRow, toJobRecord } from "./rows.ts";

export async function get(ctx: StoreContext, id: string): Promise<JobRecord | null> {
  if (!isJobId(id)) return null;
  const [row] = await ctx.db<JobRow>`select *, result::text as result_json from ${ctx.jobs} where id = ${id}::bigint`;
  return row ? toJobRecord(row) : null;
}

/**
 * Newest (or oldest) first; the cursor is the last id of the page, so pages stay stable while jobs are
 * added. A key names at most one job, found through the key index.
 */
export async function list(ctx: StoreContext, o: ListOptions): Promise<JobPage> {
  const limit = pageSize(o.limit);
  const oldest = o.order === "oldest";
  const after = o.cursor && isJobId(o.cursor) ? o.cursor : undefined;
  const rows = await ctx.db<JobRow>`
    select *, result::text as result_json from ${ctx.jobs}
    where true
      ${o.state ? sql`and state = ${o.state}` : empty}
      ${o.name ? sql`and name = ${o.name}` : empty}
      ${o.queue ? sql`and queue = ${o.queue}` : empty}
      ${o.key !== undefined ? sql`and key = ${o.key}` : empty}
      ${after === undefined ? empty : oldest ? sql`and id > ${after}::bigint` : sql`and id < ${after}::bigint`}
    order by ${oldest ? sql`id asc` : sql`id desc`}
    limit ${limit + 1}::int`;
  const page = rows.slice(0, limit).map(toJobRecord);
  return { jobs: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
}

export async function counts(ctx: StoreContext): Promise<JobCount[]> {
  return ctx.db<JobCount>`
    select name, state, count(*)::int as count from ${ctx.jobs} group by name, state order by name, state`;
}

/** A failed or dead job runs again now with a fresh attempt budget; its error history is kept. */
export async function retry(ctx: StoreContext, id: string, now: number): Promise<boolean> {
  if (!isJobId(id)) return false;
  const rows = await ctx.db`
    with retried as (
      update ${ctx.jobs} set state = 'ready', run_at = ${now}::bigint, attempts = 0, finished_at = null, locked_by = null
      where id = ${id}::bigint and state in ('failed', 'dead', 'cancelled')
      returning 1
    )
    select pg_notify(${ctx.channel}, '') from retried`;
  return rows.length === 1;
}

/**
 * Any unfinished job becomes cancelled. A running one keeps locked_by (who ran it), and the same
 * statement NOTIFYs the cancel channel with its id, delivered at commit to every instance: the one
 * running it aborts the attempt (workers also poll cancelled() at lease renewal, should it be lost).
 */
export async function cancel(ctx: StoreContext, id: string, now: number): Promise<CancelledJob | null> {
  if (!isJobId(id)) return null;
  const [row] = await ctx.db<{ id: string; name: string; queue: string; was_running: boolean }>`
    with cancelled as (
      update ${ctx.jobs} set state = 'cancelled', finished_at = ${now}::bigint, lease_expires_at = null
      where id = ${id}::bigint and state in ('scheduled', 'ready', 'failed', 'running')
      returning id::text as id, name, queue, locked_by is not null as was_running, notify_done
    )
    select id, name, queue, was_running,
      (select count(*) from (select pg_notify(${ctx.cancelChannel}, id) from cancelled where was_running) woke) as woke,
      (select count(*) from (select pg_notify(${ctx.doneChannel}, id) from cancelled where notify_done) done) as done
    from cancelled`;
  return row ? { id: row.id, name: row.name, queue: row.queue, wasRunning: row.was_running } : null;
}

/** jobs.waitFor: the job's end is announced on the done channel from now on. */
export async function watchEnd(ctx: StoreContext, id: string): Promise<void> {
  if (!isJobId(id)) return;
  await ctx.db`update ${ctx.jobs} set notify_done = true where id = ${id}::bigint and not notify_done`;
}

export async function cancelled(ctx: StoreContext, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db<{ id: string }>`
    select id::text as id from ${ctx.jobs} where id = any(${ids as string[]}::bigint[]) and state = 'cancelled'`;
  return rows.map((row) => row.id);
}

/** A running job's progress, while this worker holds it: a state transition's durability is enough. */
export async function progress(ctx: StoreContext, id: string, value: string, workerId: string): Promise<boolean> {
  if (!isJobId(id)) return false;
  const result = await ctx.transition(
    (q) => q`
    update ${ctx.jobs} set progress = ${value}::text::json
    where id = ${id}::bigint and state = 'running' and locked_by = ${workerId}`,
  );
  return result.count === 1;
}

/** A scheduled job, or a failed one waiting for its retry, is due now; attempts and history are kept. */
export async function runNow(ctx: StoreContext, id: string, now: number): Promise<boolean> {
  if (!isJobId(id)) return false;
  const rows = await ctx.db`
    with due as (
      update ${ctx.jobs} set state = 'ready', run_at = ${now}::bigint
      where id = ${id}::bigint and state in ('scheduled', 'failed') and run_at <> ${parkedRunAt}::bigint
      returning 1
    )
    select pg_notify(${ctx.channel}, '') from due`;
  return rows.length === 1;
}

/** Deletes a job unless it is running (its worker would then complete a job that no longer exists). */
export async function discard(ctx: StoreContext, id: string): Promise<boolean> {
  if (!isJobId(id)) return false;
  const [row] = await ctx.db<{ n: number }>`
    with deleted as (delete from ${ctx.jobs} where id = ${id}::bigint and state <> 'running' returning id)
    ${forgetRows(ctx)}
    select count(*)::int as n from deleted`;
  return row!.n === 1;
}

/** CTEs deleting the workflow rows (steps, event waits, dependencies) of the jobs in `deleted`. */
function forgetRows(ctx: StoreContext): Fragment {
  const table = (name: string) => identifier(ctx.schema, name);
  return sql`,
    steps as (delete from ${table("workflow_steps")} where job_id in (select id from deleted)),
    waits as (delete from ${table("event_waits")} where job_id in (select id from deleted)),
    edges as (delete from ${table("job_dependencies")} where waiter_id in (select id from deleted))`;
}

/** Deletes finished jobs older than the retention; their idempotency keys become free again. */
export async function prune(ctx: StoreContext, o: PruneOptions): Promise<number> {
  const states = o.states ?? ["succeeded"];
  if (states.length === 0) return 0;
  const [row] = await ctx.db<{ n: number }>`
    with deleted as (
      delete from ${ctx.jobs} where state = any(${states as string[]}::text[]) and finished_at < ${o.finishedBefore}::bigint
      returning id
    )
    ${forgetRows(ctx)},
    sent as (delete from ${identifier(ctx.schema, "events")} where sent_at < ${o.finishedBefore}::bigint)
    select count(*)::int as n from deleted`;
  return row!.n;
}
