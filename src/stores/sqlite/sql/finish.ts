// Complete and fail: the end of an attempt, written for a whole batch at once. Both apply only to
// jobs still running under this worker (a job whose lease expired may belong to someone else now).
import type { Database } from "bun:sqlite";
import type { CompleteOptions, JobFailure, WorkerOptions } from "../../../jobs/store.ts";
import { toRowId } from "./rows.ts";

// ?4: the results as one JSON object of job id -> result JSON text (NULL when no job has one).
const completeSql = `UPDATE errand_jobs
  SET state = 'succeeded', finished_at = ?1, locked_by = NULL, lease_expires_at = NULL,
      result = CASE WHEN ?4 IS NULL THEN NULL ELSE (SELECT r.value FROM json_each(?4) AS r WHERE r.key = CAST(errand_jobs.id AS TEXT)) END
  WHERE id IN (SELECT value FROM json_each(?2)) AND state = 'running' AND locked_by = ?3`;

// retryAt NULL means no retry: dead, finished now. Otherwise failed, due again at retryAt.
const failSql = `UPDATE errand_jobs
  SET state = CASE WHEN ?1 IS NULL THEN 'dead' ELSE 'failed' END,
      run_at = coalesce(?1, run_at),
      finished_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE NULL END,
      errors = json_insert(errors, '$[#]', json(?3)),
      locked_by = NULL, lease_expires_at = NULL
  WHERE id = ?4 AND state = 'running' AND locked_by = ?5`;

export function prepareComplete(db: Database): (ids: readonly string[], options: CompleteOptions) => number {
  const complete = db.prepare<never, [number, string, string, string | null]>(completeSql);
  return (ids, { workerId, now, results }) => {
    if (ids.length === 0) return 0;
    const resultsJson = results && results.size > 0 ? JSON.stringify(Object.fromEntries(results)) : null;
    return complete.run(now, JSON.stringify(ids.map(toRowId)), workerId, resultsJson).changes;
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
