// Leases: renewed while handlers run, released at shutdown, recovered when their worker died.
import type { RecoverOptions, RenewOptions, WorkerOptions } from "../../../jobs/store.ts";
import { defaultRecoverLimit, leaseExpiredMessage } from "../../common.ts";
import type { StoreContext } from "../context.ts";

/** Extends the leases still held; a job missing from the answer was lost (recovered, taken over). */
export async function renew(ctx: StoreContext, ids: readonly string[], o: RenewOptions): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.transition(
    (q) => q<{ id: string }>`
    update ${ctx.jobs} set lease_expires_at = ${o.now + o.leaseMs}::bigint
    where id = any(${ids as string[]}::bigint[]) and state = 'running' and locked_by = ${o.workerId}
    returning id::text as id`,
  );
  const held = new Set(rows.map((row) => row.id));
  return ids.filter((id) => held.has(id));
}

/**
 * Gives held jobs back (shutdown): the attempt did not fail, it was interrupted by our own shutdown, so
 * they are ready again with the attempt uncounted, and a NOTIFY lets other instances take them now
 * rather than at their next poll. run_at is kept: it is already due, and keeping it keeps the jobs'
 * place in claim order.
 */
export async function release(ctx: StoreContext, ids: readonly string[], o: WorkerOptions): Promise<number> {
  if (ids.length === 0) return 0;
  const [row] = await ctx.transition(
    (q) => q<{ released: number }>`
    with released as (
      update ${ctx.jobs}
      set state = 'ready', attempts = greatest(attempts - 1, 0), locked_by = null, lease_expires_at = null
      where id = any(${ids as string[]}::bigint[]) and state = 'running' and locked_by = ${o.workerId}
      returning 1
    )
    select count(*)::int as released,
      (select count(*) from (select pg_notify(${ctx.channel}, '') from released limit 1) woke) as woke
    from released`,
  );
  return row?.released ?? 0;
}

/**
 * Running jobs whose lease expired belonged to a worker that died (or hung past its lease without
 * renewing). The attempt it started stays counted and is recorded as a LeaseExpiredError (the SET
 * expressions read the old row, so `attempts` and `locked_by` describe the lost attempt); the job is
 * ready again, or dead when that was its last attempt. SKIP LOCKED lets instances recover together.
 */
export async function recoverExpired(ctx: StoreContext, o: RecoverOptions): Promise<number> {
  const limit = o.limit ?? defaultRecoverLimit;
  const [row] = await ctx.transition(
    (q) => q<{ recovered: number }>`
    with expired as (
      select id from ${ctx.jobs}
      where state = 'running' and lease_expires_at < ${o.now}::bigint
      order by lease_expires_at limit ${limit}::int
      for update skip locked
    ),
    recovered as (
      update ${ctx.jobs} j
      set state = case when j.attempts >= j.max_attempts then 'dead' else 'ready' end,
          finished_at = case when j.attempts >= j.max_attempts then ${o.now}::bigint end,
          errors = j.errors || jsonb_build_array(jsonb_build_object(
            'attempt', j.attempts, 'at', ${o.now}::bigint, 'name', 'LeaseExpiredError',
            'message', ${leaseExpiredMessage}::text, 'workerId', j.locked_by)),
          locked_by = null, lease_expires_at = null
      from expired where j.id = expired.id
      returning j.state
    )
    select count(*)::int as recovered,
      (select count(*) from (select pg_notify(${ctx.channel}, '') from recovered where state = 'ready' limit 1) woke) as woke
    from recovered`,
  );
  return row?.recovered ?? 0;
}
