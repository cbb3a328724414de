import type { StoreContext } from "../context.ts";
import { isJobId } from "./rows.ts";

/** A failed or dead job runs again now with a fresh attempt budget; its error history is kept. */
export async function retry(ctx: StoreContext, id: string, now: number): Promise<boolean> {
  if (!isJobId(id)) return false;
  const rows = await ctx.sql`
    with retried as (
      update ${ctx.jobs} set state = 'ready', run_at = ${now}::bigint, attempts = 0, finished_at = null
      where id = ${id}::bigint and state in ('failed', 'dead')
      returning 1
    )
    select pg_notify(${ctx.channel}, '') from retried`;
  return rows.length === 1;
}
