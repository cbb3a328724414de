import type { WorkerOptions } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";

/**
 * Gives held jobs back (shutdown): ready again with the attempt uncounted, and a NOTIFY so other
 * instances take them now rather than at their next poll. run_at is kept: it is already due, and
 * keeping it keeps the jobs' place in claim order.
 */
export async function release(ctx: StoreContext, ids: readonly string[], o: WorkerOptions): Promise<number> {
  if (ids.length === 0) return 0;
  const [row] = await ctx.transition(
    (q) => q<{ released: number }[]>`
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
