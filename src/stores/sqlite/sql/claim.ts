// Claim: one UPDATE ... WHERE id IN (SELECT ... ORDER BY ... LIMIT n) RETURNING per batch, walking the
// partial claim index in priority order. Names under a concurrency limit are claimed one name at a
// time, each capped by limit - running (per-key and rate limits: claim-limited.ts); the whole claim
// is one IMMEDIATE transaction, so two processes sharing the file cannot both see the same free slots.
// Paused names and queues (errand_paused, a table of a few rows) are skipped here, in the statement,
// so a pause holds for every process from its commit on.
import type { Database } from "bun:sqlite";
import type { ClaimedJob, ClaimOptions } from "../../../jobs/store.ts";
import { keyedOrRateLimited } from "../../claim-limits.ts";
import { prepareClaimLimited } from "./claim-limited.ts";
import { type ClaimedRow, claimedColumns, toClaimedJob } from "./rows.ts";

const claimSql = `UPDATE errand_jobs
  SET state = 'running', locked_by = ?1, lease_expires_at = ?2, attempts = attempts + 1
  WHERE id IN (
    SELECT id FROM errand_jobs
    WHERE state IN ('scheduled', 'ready', 'failed') AND run_at <= ?3
      AND name IN (SELECT value FROM json_each(?4))
      AND (?5 IS NULL OR queue IN (SELECT value FROM json_each(?5)))
      AND name NOT IN (SELECT value FROM errand_paused WHERE kind = 'name')
      AND queue NOT IN (SELECT value FROM errand_paused WHERE kind = 'queue')
    ORDER BY priority DESC, run_at, id
    LIMIT ?6)
  RETURNING ${claimedColumns}`;
const runningSql = "SELECT count(*) AS n FROM errand_jobs WHERE state = 'running' AND name = ?1";
const pausedNameSql = "SELECT 1 AS p FROM errand_paused WHERE kind = 'name' AND value = ?1";

type ClaimParams = [string, number, number, string, string | null, number];

export function prepareClaim(db: Database): (options: ClaimOptions) => ClaimedJob[] {
  const claimRows = db.prepare<ClaimedRow, ClaimParams>(claimSql);
  const running = db.prepare<{ n: number }, [string]>(runningSql);
  const pausedName = db.prepare<{ p: number }, [string]>(pausedNameSql);
  const claimLimited = prepareClaimLimited(db);

  const claimAll = db.transaction((options: ClaimOptions): ClaimedJob[] => {
    const { workerId, now, leaseMs, limits = {} } = options;
    const queues = options.queues ? JSON.stringify(options.queues) : null;
    const take = (names: readonly string[], limit: number) =>
      claimRows.all(workerId, now + leaseMs, now, JSON.stringify(names), queues, limit);

    const rows: ClaimedRow[] = [];
    const free: string[] = [];
    const keyed = keyedOrRateLimited(options.names, options);
    let rated = 0;
    for (const name of options.names) {
      const max = limits[name];
      if (max === undefined && !keyed.includes(name)) {
        free.push(name);
        continue;
      }
      const cap = max === undefined ? Infinity : max - running.get(name)!.n;
      const rate = options.rateLimits?.[name] === undefined ? Infinity : (options.rateLimitedRoom ?? Infinity) - rated;
      const room = Math.min(cap, rate, options.limit - rows.length);
      if (room <= 0) continue;
      if (!keyed.includes(name)) rows.push(...take([name], room));
      else if (!pausedName.get(name)) {
        const claimed = claimLimited(name, room, options);
        if (rate !== Infinity) rated += claimed.length;
        rows.push(...claimed);
      }
    }
    if (free.length > 0 && rows.length < options.limit) rows.push(...take(free, options.limit - rows.length));
    return rows.map(toClaimedJob).sort(claimOrder);
  });

  return (options) => (options.limit > 0 && options.names.length > 0 ? claimAll.immediate(options) : []);
}

/** RETURNING does not keep the subquery's order; restore it. */
function claimOrder(a: ClaimedJob, b: ClaimedJob): number {
  return b.priority - a.priority || a.runAt - b.runAt || Number(a.id) - Number(b.id);
}
