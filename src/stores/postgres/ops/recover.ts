import type { RecoverOptions } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";

/**
 * Running jobs whose lease expired belonged to a worker that died (or hung past its lease without
 * renewing). The attempt it started stays counted and is recorded as a LeaseExpiredError; the job is
 * ready again, or dead when that was its last attempt. SKIP LOCKED lets instances recover together.
 */
export async function recoverExpired(ctx: StoreContext, o: RecoverOptions): Promise<number> {
  const limit = o.limit ?? 10_000;
  const [row] = await ctx.transition(
    (q) => q<{ recovered: number }[]>`
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
            'message', 'The lease expired before the attempt finished: its worker stopped or lost the database.',
            'workerId', j.locked_by)),
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
