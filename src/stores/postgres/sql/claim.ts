import type { ClaimedJob, ClaimOptions } from "../../../jobs/store.ts";
import { keyedOrRateLimited } from "../../claim-limits.ts";
import type { Query, StoreContext } from "../context.ts";
import { empty, identifier, sql } from "../template.ts";
import { claimLimited } from "./claim-limited.ts";
import { type JobRow, toClaimedJob } from "./rows.ts";

/**
 * Claims due jobs in one statement: for each name, its best due rows in claim order (the partial
 * index jobs_claim_idx serves exactly this scan) locked with SKIP LOCKED so concurrent claimers take
 * different rows instead of waiting; then the best `limit` of those become running under the lease.
 *
 * Per-name limits ("at most 2 report.generate at once across all instances") need more than SKIP
 * LOCKED: two claimers could each count 1 running and each start one more. So a claim that involves
 * limited names first takes a transaction-level advisory lock per limited name (in name order, so
 * two claimers never wait on each other in a cycle), and only then runs the claim statement. At READ
 * COMMITTED that statement's snapshot is taken after the lock was granted, so it sees every claim of
 * those names that committed before, and no other claim of them can be in flight: only claim makes a
 * job running, and every claim of a limited name holds its lock until commit. Completions, failures
 * and releases running meanwhile only lower the true count, so the count read is never too low.
 * Every instance must configure the same limits: a claimer without the limit takes no lock.
 *
 * Names under a per-key concurrency or rate limit are claimed one at a time under the same lock
 * (claim-limited.ts), before the others. Paused names and queues (the `paused` table, a few rows) are
 * skipped inside the statements, so a pause holds for every instance from its commit on.
 */
export async function claim(ctx: StoreContext, options: ClaimOptions): Promise<ClaimedJob[]> {
  if (options.names.length === 0 || options.limit <= 0) return [];
  const keyed = keyedOrRateLimited(options.names, options);
  const limited = options.names.filter((name) => options.limits?.[name] !== undefined || keyed.includes(name));
  if (limited.length === 0) return sortClaimed(await ctx.transition((q) => claimStatement(q, ctx, options, [])));
  const rows = await ctx.transition(
    async (tx) => {
      await tx`
        select pg_advisory_xact_lock(hashtext(${ctx.schema}), hashtext(name))
        from (select name from unnest(${[...limited].sort()}::text[]) as name order by name) ordered`;
      const taken = await claimKeyed(tx, ctx, options, keyed);
      const names = options.names.filter((name) => !keyed.includes(name));
      const limit = options.limit - taken.length;
      if (names.length === 0 || limit <= 0) return taken;
      const capped = limited.filter((name) => !keyed.includes(name));
      return [...taken, ...(await claimStatement(tx, ctx, { ...options, names, limit }, capped))];
    },
    { atomic: true },
  );
  return sortClaimed(rows);
}

async function claimKeyed(tx: Query, ctx: StoreContext, o: ClaimOptions, keyed: readonly string[]): Promise<JobRow[]> {
  if (keyed.length === 0) return [];
  const paused = identifier(ctx.schema, "paused");
  const open = await tx<{ name: string; running: number }>`
    select n.name, (select count(*) from ${ctx.jobs} r where r.state = 'running' and r.name = n.name)::int as running
    from unnest(${keyed as string[]}::text[]) as n(name)
    where not exists (select 1 from ${paused} p where p.kind = 'name' and p.value = n.name)`;
  const taken: JobRow[] = [];
  let rated = 0;
  for (const { name, running } of open) {
    const cap = o.limits?.[name];
    const rate = o.rateLimits?.[name] === undefined ? Infinity : (o.rateLimitedRoom ?? Infinity) - rated;
    const room = Math.min(o.limit - taken.length, cap === undefined ? Infinity : cap - running, rate);
    if (room <= 0) continue;
    const claimed = await claimLimited(tx, ctx, name, room, o);
    if (rate !== Infinity) rated += claimed.length;
    taken.push(...claimed);
  }
  return taken;
}

function claimStatement(q: Query, ctx: StoreContext, o: ClaimOptions, limited: readonly string[]) {
  const { jobs } = ctx;
  const paused = identifier(ctx.schema, "paused");
  const limits = limited.map((name) => o.limits![name]!);
  const inQueues = o.queues ? sql`and j.queue = any(${o.queues as string[]}::text[])` : empty;
  // The paused queues are read once per statement (an InitPlan), not per row.
  return q<JobRow>`
    with quota as (
      select n.name, case when l.cap is null then ${o.limit}::int
        else least(${o.limit}::int, l.cap - (select count(*) from ${jobs} r where r.state = 'running' and r.name = n.name))::int
        end as room
      from unnest(${o.names as string[]}::text[]) as n(name)
      left join unnest(${limited as string[]}::text[], ${limits}::int[]) as l(name, cap) on l.name = n.name
      where not exists (select 1 from ${paused} p where p.kind = 'name' and p.value = n.name)
    ),
    picked as (
      select c.id, c.priority, c.run_at from quota q
      cross join lateral (
        select j.id, j.priority, j.run_at from ${jobs} j
        where j.name = q.name and j.state in ('scheduled', 'ready', 'failed') and j.run_at <= ${o.now}::bigint ${inQueues}
          and j.queue <> all(array(select value from ${paused} where kind = 'queue'))
        order by j.priority desc nulls last, j.run_at, j.id
        limit greatest(q.room, 0)
        for update of j skip locked
      ) c
      order by c.priority desc, c.run_at, c.id
      limit ${o.limit}::int
    )
    update ${jobs} j
    set state = 'running', locked_by = ${o.workerId}, lease_expires_at = ${o.now + o.leaseMs}::bigint, attempts = j.attempts + 1
    from picked where j.id = picked.id
    returning j.id::text as id, j.name, j.queue, j.payload, j.priority, j.attempts, j.max_attempts, j.key,
      j.run_at, j.enqueued_at, j.lease_expires_at, j.trace_context`;
}

/** RETURNING has no order; the core expects claim order. */
function sortClaimed(rows: readonly JobRow[]): ClaimedJob[] {
  return rows.map(toClaimedJob).sort((a, b) => b.priority - a.priority || a.runAt - b.runAt || compareIds(a.id, b.id));
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
