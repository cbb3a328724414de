// Pauses: rows of the `paused` table, which every claim reads (claim.ts), so a pause holds for every
// instance from its commit on, and across restarts. A change NOTIFYs 'control' on the wake channel:
// instances then give back the buffered jobs it stops, and a resume wakes their dispatchers.
import type { Pause, PauseTarget } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";
import { identifier } from "../template.ts";

/** The NOTIFY payload of a pause or resume (enqueue wake-ups send ''). */
export const controlPayload = "control";

const kindOf = (t: PauseTarget): [kind: "name" | "queue", value: string] =>
  t.name !== undefined ? ["name", t.name] : ["queue", t.queue];

export async function pause(ctx: StoreContext, target: PauseTarget, now: number): Promise<boolean> {
  const [kind, value] = kindOf(target);
  const rows = await ctx.db`
    insert into ${identifier(ctx.schema, "paused")} (kind, value, paused_at) values (${kind}, ${value}, ${now}::bigint)
    on conflict do nothing`;
  if (rows.count > 0) await announce(ctx);
  return rows.count > 0;
}

export async function resume(ctx: StoreContext, target: PauseTarget): Promise<boolean> {
  const [kind, value] = kindOf(target);
  const rows = await ctx.db`delete from ${identifier(ctx.schema, "paused")} where kind = ${kind} and value = ${value}`;
  if (rows.count > 0) await announce(ctx);
  return rows.count > 0;
}

export async function paused(ctx: StoreContext): Promise<Pause[]> {
  const rows = await ctx.db<{ kind: "name" | "queue"; value: string; paused_at: string }>`
    select kind, value, paused_at from ${identifier(ctx.schema, "paused")} order by kind, value`;
  return rows.map((r) =>
    r.kind === "name"
      ? { name: r.value, pausedAt: Number(r.paused_at) }
      : { queue: r.value, pausedAt: Number(r.paused_at) },
  );
}

/** After the change committed; a lost NOTIFY only delays the others until their next poll. */
async function announce(ctx: StoreContext): Promise<void> {
  await ctx.db`select pg_notify(${ctx.channel}, ${controlPayload})`.catch(() => {});
}
