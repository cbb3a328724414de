import type { StoreContext } from "../context.ts";
import { isJobId } from "./rows.ts";

/** Deletes a job unless it is running (its worker would then complete a job that no longer exists). */
export async function discard(ctx: StoreContext, id: string): Promise<boolean> {
  if (!isJobId(id)) return false;
  const result = await ctx.sql`delete from ${ctx.jobs} where id = ${id}::bigint and state <> 'running'`;
  return result.count === 1;
}
