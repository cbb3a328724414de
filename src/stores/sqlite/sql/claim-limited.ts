// The claim of one name under a per-key concurrency or rate limit. It runs inside claim.ts's IMMEDIATE
// transaction, so no other process claims between the counts read here and the update: the facts are
// gathered in SQL, the shared planner (claim-limits.ts) decides, and the chosen jobs start here.
import type { Database } from "bun:sqlite";
import type { ClaimOptions } from "../../../jobs/store.ts";
import { type LimitedCandidate, planLimitedClaim } from "../../claim-limits.ts";
import { type ClaimedRow, claimedColumns } from "./rows.ts";

const pending = "state IN ('scheduled', 'ready', 'failed')";

// Up to `room` due jobs of each (group_key, rate_key) pair in claim order: a group at its limit at the
// head of the queue must not hide the groups behind it.
const candidatesSql = `SELECT id, group_key, rate_key FROM (
    SELECT id, group_key, rate_key, priority, run_at,
      row_number() OVER (PARTITION BY group_key, rate_key ORDER BY priority DESC, run_at, id) AS rn
    FROM errand_jobs
    WHERE ${pending} AND run_at <= ?1 AND name = ?2
      AND (?3 IS NULL OR queue IN (SELECT value FROM json_each(?3)))
      AND queue NOT IN (SELECT value FROM errand_paused WHERE kind = 'queue'))
  WHERE rn <= ?4
  ORDER BY priority DESC, run_at, id`;
// A name that is one group (no key): its first due jobs, as the main claim reads them (claim index).
const headSql = `SELECT id, group_key, rate_key FROM errand_jobs
  WHERE ${pending} AND run_at <= ?1 AND name = ?2
    AND (?3 IS NULL OR queue IN (SELECT value FROM json_each(?3)))
    AND queue NOT IN (SELECT value FROM errand_paused WHERE kind = 'queue')
  ORDER BY priority DESC, run_at, id
  LIMIT ?4`;
const runningSql = `SELECT coalesce(group_key, '') AS g, count(*) AS n FROM errand_jobs
  WHERE state = 'running' AND name = ?1 GROUP BY g`;
const forgetStartsSql = "DELETE FROM errand_job_starts WHERE name = ?1 AND started_at <= ?2";
const startsSql = "SELECT rate_key, started_at FROM errand_job_starts WHERE name = ?1 ORDER BY started_at";
const recordStartSql = "INSERT INTO errand_job_starts (name, rate_key, started_at) VALUES (?1, ?2, ?3)";
const startSql = `UPDATE errand_jobs
  SET state = 'running', locked_by = ?1, lease_expires_at = ?2, attempts = attempts + 1
  WHERE id IN (SELECT value FROM json_each(?3)) AND ${pending}
  RETURNING ${claimedColumns}`;

interface CandidateRow {
  id: number;
  group_key: string | null;
  rate_key: string | null;
}

/** Claims up to `room` jobs of `name`; call inside an IMMEDIATE transaction. */
export type ClaimLimited = (name: string, room: number, options: ClaimOptions) => ClaimedRow[];

export function prepareClaimLimited(db: Database): ClaimLimited {
  const candidates = db.prepare<CandidateRow, [number, string, string | null, number]>(candidatesSql);
  const head = db.prepare<CandidateRow, [number, string, string | null, number]>(headSql);
  const running = db.prepare<{ g: string; n: number }, [string]>(runningSql);
  const forgetStarts = db.prepare<never, [string, number]>(forgetStartsSql);
  const starts = db.prepare<{ rate_key: string; started_at: number }, [string]>(startsSql);
  const recordStart = db.prepare<never, [string, string, number]>(recordStartSql);
  const start = db.prepare<ClaimedRow, [string, number, string]>(startSql);

  return (name, room, o) => {
    const queues = o.queues ? JSON.stringify(o.queues) : null;
    const keyed = o.groupLimits?.[name] !== undefined || o.rateLimits?.[name]?.keyed === true;
    const due: LimitedCandidate[] = (keyed ? candidates : head)
      .all(o.now, name, queues, room)
      .map((r) => ({ id: String(r.id), groupKey: r.group_key, rateKey: r.rate_key }));
    if (due.length === 0) return [];
    const rate = o.rateLimits?.[name];
    const groupLimit = o.groupLimits?.[name];
    // Inside the IMMEDIATE transaction: the time after waiting for it (see ClaimOptions.clock).
    const now = rate && o.clock ? Math.max(o.now, o.clock()) : o.now;
    let startsByRateKey: Map<string, number[]> | undefined;
    if (rate) {
      forgetStarts.run(name, now - rate.perMs);
      startsByRateKey = new Map();
      for (const { rate_key, started_at } of starts.all(name))
        startsByRateKey.set(rate_key, [...(startsByRateKey.get(rate_key) ?? []), started_at]);
    }
    const plan = planLimitedClaim(due, {
      room,
      now,
      ...(groupLimit === undefined
        ? {}
        : { groupLimit, runningByGroup: new Map(running.all(name).map((r) => [r.g, r.n] as const)) }),
      ...(rate && startsByRateKey ? { rate, startsByRateKey } : {}),
    });
    if (plan.freeAt !== undefined) o.onRateLimited?.(plan.freeAt);
    if (plan.take.length === 0) return [];
    if (rate) for (const job of plan.take) recordStart.run(name, job.rateKey ?? "", now);
    return start.all(o.workerId, o.now + o.leaseMs, JSON.stringify(plan.take.map((job) => Number(job.id))));
  };
}
