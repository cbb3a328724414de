import type { RenewOptions } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";

/** Extends the leases still held; a job missing from the answer was lost (recovered, taken over). */
export async function renew(ctx: StoreContext, ids: readonly string[], o: RenewOptions): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.transition(
    (q) => q<{ id: string }[]>`
    update ${ctx.jobs} set lease_expires_at = ${o.now + o.leaseMs}::bigint
    where id = any(${ids as string[]}::bigint[]) and state = 'running' and locked_by = ${o.workerId}
    returning id::text as id`,
  );
  const held = new Set(rows.map((row) => row.id));
  return ids.filter((id) => held.has(id));
}
