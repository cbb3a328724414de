// Complete and fail: the end of an attempt, written for a whole batch at once. Both apply only to
// jobs still running under this worker (a job whose lease expired may belong to someone else now).
import type { Database } from "bun:sqlite";
import type { JobFailure, WorkerOptions } from "../../../jobs/store.ts";
import { toRowId } from "./rows.ts";

const completeSql = `UPDATE errand_jobs
  SET state = 'succeeded', finished_at = ?1, locked_by = NULL, lease_expires_at = NULL
  WHERE id IN (SELECT value FROM json_each(?2)) AND state = 'running' AND locked_by = ?3`;

// retryAt NULL means no retry: dead, finished now. Otherwise failed, due again at retryAt.
const failSql = `UPDATE errand_jobs
  SET state = CASE WHEN ?1 IS NULL THEN 'dead' ELSE 'failed' END,
      run_at = coalesce(?1, run_at),
      finished_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE NULL END,
      errors = json_insert(errors, '$[#]', json(?3)),
      locked_by = NULL, lease_expires_at = NULL
  WHERE id = ?4 AND state = 'running' AND locked_by = ?5`;

export function prepareComplete(db: Database): (ids: readonly string[], options: WorkerOptions) => number {
  const complete = db.prepare<never, [number, string, string]>(completeSql);
  return (ids, { workerId, now }) => {
    if (ids.length === 0) return 0;
    return complete.run(now, JSON.stringify(ids.map(toRowId)), workerId).changes;
  };
}

export function prepareFail(db: Database): (failures: readonly JobFailure[], options: WorkerOptions) => number {
  const fail = db.prepare<never, [number | null, number, string, number | null, string]>(failSql);
  const failAll = db.transaction((failures: readonly JobFailure[], { workerId, now }: WorkerOptions) => {
    let changed = 0;
    for (const f of failures)
      changed += fail.run(f.retryAt, now, JSON.stringify(f.error), toRowId(f.id), workerId).changes;
    return changed;
  });
  return (failures, options) => (failures.length === 0 ? 0 : failAll(failures, options));
}
