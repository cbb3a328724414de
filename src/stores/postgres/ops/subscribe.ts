import type { Subscription } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";

/**
 * LISTEN on the schema's channel (postgres-js keeps one extra connection for it and re-listens after
 * a reconnect). Enqueue, release, retry and recovery NOTIFY it inside their own transactions, so a
 * wake-up arrives only once the jobs are committed and claimable.
 */
export async function subscribe(ctx: StoreContext, onWake: () => void): Promise<Subscription> {
  const listening = await ctx.sql.listen(ctx.channel, () => onWake());
  return { close: async () => void (await listening.unlisten()) };
}
