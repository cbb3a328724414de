// Leases: renewed while handlers run, released at shutdown, recovered when their worker died.
import type { Database } from "bun:sqlite";
import type { RecoverOptions, RenewOptions, WorkerOptions } from "../../../jobs/store.ts";
import { defaultRecoverLimit, leaseExpiredMessage } from "../../common.ts";
import { toRowId } from "./rows.ts";

const renewSql = `UPDATE errand_jobs SET lease_expires_at = ?1
  WHERE id IN (SELECT value FROM json_each(?2)) AND state = 'running' AND locked_by = ?3
  RETURNING id`;

// The attempt did not fail, it was interrupted by our own shutdown: give it back uncounted. run_at is
// kept: it is already due, and keeping it keeps the job's place in claim order.
const releaseSql = `UPDATE errand_jobs
  SET state = 'ready', attempts = max(attempts - 1, 0), locked_by = NULL, lease_expires_at = NULL
  WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'running' AND locked_by = ?2`;

// SET expressions read the old row, so `attempts` and `locked_by` describe the lost attempt. The
// oldest leases first, as on PostgreSQL, through the partial lease index.
const recoverSql = `UPDATE errand_jobs
  SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'ready' END,
      finished_at = CASE WHEN attempts >= max_attempts THEN ?1 ELSE NULL END,
      errors = json_insert(errors, '$[#]', json_object(
        'attempt', attempts, 'at', ?1, 'name', 'LeaseExpiredError', 'message', ?3, 'workerId', locked_by)),
      locked_by = NULL, lease_expires_at = NULL
  WHERE id IN (
    SELECT id FROM errand_jobs WHERE state = 'running' AND lease_expires_at < ?1 ORDER BY lease_expires_at LIMIT ?2)`;

export function prepareRenew(db: Database): (ids: readonly string[], options: RenewOptions) => string[] {
  const renew = db.prepare<{ id: number }, [number, string, string]>(renewSql);
  return (ids, { workerId, now, leaseMs }) => {
    if (ids.length === 0) return [];
    const held = new Set(renew.all(now + leaseMs, JSON.stringify(ids.map(toRowId)), workerId).map((r) => String(r.id)));
    return ids.filter((id) => held.has(id));
  };
}

export function prepareRelease(db: Database): (ids: readonly string[], options: WorkerOptions) => number {
  const release = db.prepare<never, [string, string]>(releaseSql);
  return (ids, { workerId }) =>
    ids.length === 0 ? 0 : release.run(JSON.stringify(ids.map(toRowId)), workerId).changes;
}

export function prepareRecover(db: Database): (options: RecoverOptions) => number {
  const recover = db.prepare<never, [number, number, string]>(recoverSql);
  return ({ now, limit = defaultRecoverLimit }) => recover.run(now, limit, leaseExpiredMessage).changes;
}
