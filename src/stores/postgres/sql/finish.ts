// Complete and fail: the end of an attempt, written for a whole batch at once. Both apply only to
// jobs still running under this worker (a job whose lease expired may belong to someone else now).
import type { CompleteOptions, JobFailure, WorkerOptions } from "../../../jobs/store.ts";
import type { Query, StoreContext } from "../context.ts";
import { type Fragment, sql } from "../template.ts";

/**
 * Runs an UPDATE … RETURNING id, notify_done, state that ends jobs, and NOTIFYs the done channel with
 * the id of each ended job someone waits for (jobs.waitFor marks it): no NOTIFY when nobody waits.
 */
async function endJobs(q: Query, ctx: StoreContext, update: Fragment): Promise<number> {
  const [row] = await q<{ n: number }>`
    with ended as (${update})
    select count(*)::int as n,
      (select count(*) from (
        select pg_notify(${ctx.doneChannel}, id::text) from ended
        where notify_done and state in ('succeeded', 'dead')
      ) woke) as woke
    from ended`;
  return row?.n ?? 0;
}

/**
 * running -> succeeded for every job of the batch this worker still holds, one statement. Results
 * travel only when some job has one (the common batch of jobs without results keeps its plain
 * statement), as two arrays unnested side by side: each result's JSON text is stored as written (a
 * `json` column keeps key order), and none is looked up inside a document per row.
 */
export async function complete(ctx: StoreContext, ids: readonly string[], o: CompleteOptions): Promise<number> {
  if (ids.length === 0) return 0;
  if (o.results && o.results.size > 0) {
    const results = ids.map((id) => o.results!.get(id) ?? null);
    return ctx.transition((q) =>
      endJobs(
        q,
        ctx,
        sql`
      update ${ctx.jobs} j
      set state = 'succeeded', finished_at = ${o.now}::bigint, locked_by = null, lease_expires_at = null,
          result = r.result::json
      from unnest(${ids as string[]}::bigint[], ${results}::text[]) as r(id, result)
      where j.id = r.id and j.state = 'running' and j.locked_by = ${o.workerId}
      returning j.id, j.notify_done, j.state`,
      ),
    );
  }
  return ctx.transition((q) =>
    endJobs(
      q,
      ctx,
      sql`
    update ${ctx.jobs}
    set state = 'succeeded', finished_at = ${o.now}::bigint, locked_by = null, lease_expires_at = null
    where id = any(${ids as string[]}::bigint[]) and state = 'running' and locked_by = ${o.workerId}
    returning id, notify_done, state`,
    ),
  );
}

/**
 * retry_at null means no retry: dead, finished now; otherwise failed, due again at retry_at. The batch
 * travels as one JSON document joined to the table (update … from jsonb_to_recordset), so any number
 * of failures, each with its own retry time and error, is one statement.
 */
export async function fail(ctx: StoreContext, failures: readonly JobFailure[], o: WorkerOptions): Promise<number> {
  if (failures.length === 0) return 0;
  const batch = JSON.stringify(failures.map((f) => ({ id: f.id, retry_at: f.retryAt, error: f.error })));
  return ctx.transition((q) =>
    endJobs(
      q,
      ctx,
      sql`
    update ${ctx.jobs} j
    set state = case when f.retry_at is null then 'dead' else 'failed' end,
        run_at = coalesce(f.retry_at, j.run_at),
        finished_at = case when f.retry_at is null then ${o.now}::bigint end,
        errors = j.errors || jsonb_build_array(f.error),
        locked_by = null, lease_expires_at = null
    from jsonb_to_recordset(${batch}::text::jsonb) as f(id bigint, retry_at bigint, error jsonb)
    where j.id = f.id and j.state = 'running' and j.locked_by = ${o.workerId}
    returning j.id, j.notify_done, j.state`,
    ),
  );
}
