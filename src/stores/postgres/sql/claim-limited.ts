// The claim of one name under a per-key concurrency or rate limit. It runs inside claim.ts's
// transaction after the name's advisory lock was granted, so no other claim of the name is in flight
// and the counts read here stay true until commit (claim.ts explains why). The facts are read in SQL,
// the shared planner (claim-limits.ts) decides, and the chosen jobs start here, their starts recorded.
import type { ClaimOptions } from "../../../jobs/store.ts";
import { type LimitedCandidate, planLimitedClaim } from "../../claim-limits.ts";
import type { Query, StoreContext } from "../context.ts";
import { empty, identifier, sql } from "../template.ts";
import type { JobRow } from "./rows.ts";

interface CandidateRow {
  id: string;
  group_key: string | null;
  rate_key: string | null;
}

export async function claimLimited(
  q: Query,
  ctx: StoreContext,
  name: string,
  room: number,
  o: ClaimOptions,
): Promise<JobRow[]> {
  const due = await candidates(q, ctx, name, room, o);
  if (due.length === 0) return [];
  const rate = o.rateLimits?.[name];
  const groupLimit = o.groupLimits?.[name];
  const starts = identifier(ctx.schema, "job_starts");
  // The advisory lock is held: the time after waiting for it (see ClaimOptions.clock).
  const now = rate && o.clock ? Math.max(o.now, o.clock()) : o.now;
  let startsByRateKey: Map<string, number[]> | undefined;
  if (rate) {
    await q`delete from ${starts} where name = ${name} and started_at <= ${now - rate.perMs}::bigint`;
    startsByRateKey = new Map();
    const rows = await q<{ rate_key: string; started_at: string }>`
      select rate_key, started_at from ${starts} where name = ${name} order by started_at`;
    for (const r of rows)
      startsByRateKey.set(r.rate_key, [...(startsByRateKey.get(r.rate_key) ?? []), Number(r.started_at)]);
  }
  let runningByGroup: Map<string, number> | undefined;
  if (groupLimit !== undefined) {
    const rows = await q<{ g: string; n: number }>`
      select coalesce(group_key, '') as g, count(*)::int as n from ${ctx.jobs}
      where state = 'running' and name = ${name} group by 1`;
    runningByGroup = new Map(rows.map((r) => [r.g, r.n]));
  }
  const plan = planLimitedClaim(due, {
    room,
    now,
    ...(groupLimit === undefined || !runningByGroup ? {} : { groupLimit, runningByGroup }),
    ...(rate && startsByRateKey ? { rate, startsByRateKey } : {}),
  });
  if (plan.freeAt !== undefined) o.onRateLimited?.(plan.freeAt);
  if (plan.take.length === 0) return [];
  if (rate) {
    await q`insert into ${starts} (name, rate_key, started_at)
      select ${name}, k, ${now}::bigint from unnest(${plan.take.map((job) => job.rateKey ?? "")}::text[]) as k`;
  }
  return q<JobRow>`
    update ${ctx.jobs} j
    set state = 'running', locked_by = ${o.workerId}, lease_expires_at = ${o.now + o.leaseMs}::bigint, attempts = j.attempts + 1
    where j.id = any(${plan.take.map((job) => job.id)}::bigint[]) and j.state in ('scheduled', 'ready', 'failed')
    returning j.id::text as id, j.name, j.queue, j.payload, j.priority, j.attempts, j.max_attempts, j.key,
      j.run_at, j.enqueued_at, j.lease_expires_at`;
}

/**
 * Up to `room` due jobs of each (group_key, rate_key) pair in claim order, so a group at its limit at
 * the head of the queue does not hide the groups behind it. Rows locked by another transaction (an
 * admin call on one job) are skipped, as the main claim does.
 */
async function candidates(
  q: Query,
  ctx: StoreContext,
  name: string,
  room: number,
  o: ClaimOptions,
): Promise<LimitedCandidate[]> {
  const paused = identifier(ctx.schema, "paused");
  const inQueues = o.queues ? sql`and queue = any(${o.queues as string[]}::text[])` : empty;
  const keyed = o.groupLimits?.[name] !== undefined || o.rateLimits?.[name]?.keyed === true;
  // A name that is one group (no key): its first due jobs, as the main claim reads them (claim index).
  const rows = !keyed
    ? await q<CandidateRow>`
    select j.id::text as id, j.group_key, j.rate_key from ${ctx.jobs} j
    where j.name = ${name} and j.state in ('scheduled', 'ready', 'failed') and j.run_at <= ${o.now}::bigint ${inQueues}
      and j.queue <> all(array(select value from ${paused} where kind = 'queue'))
    order by j.priority desc, j.run_at, j.id
    limit ${room}::int
    for update of j skip locked`
    : await q<CandidateRow>`
    select j.id::text as id, j.group_key, j.rate_key from ${ctx.jobs} j
    where j.id in (
      select id from (
        select id, row_number() over (partition by group_key, rate_key order by priority desc, run_at, id) as rn
        from ${ctx.jobs}
        where name = ${name} and state in ('scheduled', 'ready', 'failed') and run_at <= ${o.now}::bigint ${inQueues}
          and queue <> all(array(select value from ${paused} where kind = 'queue'))
      ) ranked where rn <= ${room}::int)
    order by j.priority desc, j.run_at, j.id
    for update of j skip locked`;
  return rows.map((r) => ({ id: r.id, groupKey: r.group_key, rateKey: r.rate_key }));
}
