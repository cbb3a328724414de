import type { WorkerOptions } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";

/** running -> succeeded for every job of the batch this worker still holds, one statement. */
export async function complete(ctx: StoreContext, ids: readonly string[], o: WorkerOptions): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await ctx.transition(
    (q) => q`
    update ${ctx.jobs}
    set state = 'succeeded', finished_at = ${o.now}::bigint, locked_by = null, lease_expires_at = null
    where id = any(${ids as string[]}::bigint[]) and state = 'running' and locked_by = ${o.workerId}`,
  );
  return result.count;
}
