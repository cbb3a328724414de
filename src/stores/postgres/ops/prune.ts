import type { PruneOptions } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";

/** Deletes finished jobs older than the retention; their idempotency keys become free again. */
export async function prune(ctx: StoreContext, o: PruneOptions): Promise<number> {
  const states = o.states ?? ["succeeded"];
  if (states.length === 0) return 0;
  const result = await ctx.sql`
    delete from ${ctx.jobs} where state = any(${states as string[]}::text[]) and finished_at < ${o.finishedBefore}::bigint`;
  return result.count;
}
