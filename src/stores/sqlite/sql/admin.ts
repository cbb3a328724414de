// Inspection and manual intervention: get, list, counts, retry, run now, discard, prune.
import type { Database } from "bun:sqlite";
import type {
  CancelledJob,
  JobCount,
  JobPage,
  JobRecord,
  JobState,
  ListOptions,
  PruneOptions,
} from "../../../jobs/store.ts";
import { parkedRunAt } from "../../../jobs/workflow-store.ts";
import { pageSize } from "../../common.ts";
import { type JobRow, toJobRecord, toRowId } from "./rows.ts";

const listFilter = "(?1 IS NULL OR state = ?1) AND (?2 IS NULL OR name = ?2) AND (?5 IS NULL OR queue = ?5)";
const listNewestSql = `SELECT * FROM errand_jobs WHERE ${listFilter} AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4`;
const listOldestSql = `SELECT * FROM errand_jobs WHERE ${listFilter} AND (?3 IS NULL OR id > ?3) ORDER BY id ASC LIMIT ?4`;
const retrySql = `UPDATE errand_jobs SET state = 'ready', run_at = ?1, attempts = 0, finished_at = NULL, locked_by = NULL
  WHERE id = ?2 AND state IN ('failed', 'dead', 'cancelled')`;
// A running job keeps locked_by (who ran it); its worker's later writes match no running row.
const cancelSql = `UPDATE errand_jobs SET state = 'cancelled', finished_at = ?1, lease_expires_at = NULL
  WHERE id = ?2 AND state IN ('scheduled', 'ready', 'failed', 'running')
  RETURNING id, name, queue, locked_by IS NOT NULL AS wasRunning`;
const cancelledSql = `SELECT id FROM errand_jobs WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'cancelled'`;
const progressSql = "UPDATE errand_jobs SET progress = ?1 WHERE id = ?2 AND state = 'running' AND locked_by = ?3";
const runNowSql = `UPDATE errand_jobs SET state = 'ready', run_at = ?1
  WHERE id = ?2 AND state IN ('scheduled', 'failed') AND run_at <> ${parkedRunAt}`;
const pruneSql = `DELETE FROM errand_jobs
  WHERE state IN (SELECT value FROM json_each(?1)) AND finished_at < ?2`;
// A job's workflow rows go with it (no foreign keys: bun:sqlite leaves them off by default).
const forgetRowsSql = (jobs: string) => [
  `DELETE FROM errand_workflow_steps WHERE job_id IN (${jobs})`,
  `DELETE FROM errand_event_waits WHERE job_id IN (${jobs})`,
  `DELETE FROM errand_job_dependencies WHERE waiter_id IN (${jobs})`,
];
const prunedJobs = "SELECT id FROM errand_jobs WHERE state IN (SELECT value FROM json_each(?1)) AND finished_at < ?2";
const pruneEventsSql = "DELETE FROM errand_events WHERE sent_at < ?1";
// Before any delete: the newest id may be among the deleted, and enqueue must never hand it out again.
const raiseFloorSql = `INSERT INTO errand_jobs_id_floor (id, floor) VALUES (1, coalesce((SELECT max(id) FROM errand_jobs), 0))
  ON CONFLICT (id) DO UPDATE SET floor = max(floor, excluded.floor)`;

export interface SqliteAdmin {
  get(id: string): JobRecord | null;
  list(options: ListOptions): JobPage;
  counts(): JobCount[];
  retry(id: string, now: number): boolean;
  cancel(id: string, now: number): CancelledJob | null;
  cancelled(ids: readonly string[]): string[];
  progress(id: string, progress: string, workerId: string): boolean;
  runNow(id: string, now: number): boolean;
  discard(id: string): boolean;
  prune(options: PruneOptions): number;
}

export function prepareAdmin(db: Database): SqliteAdmin {
  const get = db.prepare<JobRow, [number | null]>("SELECT * FROM errand_jobs WHERE id = ?1");
  type ListParams = [JobState | null, string | null, number | null, number, string | null];
  const listNewest = db.prepare<JobRow, ListParams>(listNewestSql);
  const listOldest = db.prepare<JobRow, ListParams>(listOldestSql);
  const byKey = db.prepare<JobRow, [string]>("SELECT * FROM errand_jobs WHERE key = ?1");
  const counts = db.prepare<JobCount, []>(
    "SELECT name, state, count(*) AS count FROM errand_jobs GROUP BY name, state ORDER BY name, state",
  );
  const retry = db.prepare<never, [number, number | null]>(retrySql);
  const runNow = db.prepare<never, [number, number | null]>(runNowSql);
  type CancelRow = { id: number; name: string; queue: string; wasRunning: number };
  const cancel = db.prepare<CancelRow, [number, number | null]>(cancelSql);
  const cancelled = db.prepare<{ id: number }, [string]>(cancelledSql);
  const progress = db.prepare<never, [string, number | null, string]>(progressSql);
  const discard = db.prepare<never, [number | null]>("DELETE FROM errand_jobs WHERE id = ?1 AND state <> 'running'");
  const prune = db.prepare<never, [string, number]>(pruneSql);
  const raiseFloor = db.prepare<never, []>(raiseFloorSql);
  const forgetJob = forgetRowsSql("SELECT id FROM errand_jobs WHERE id = ?1 AND state <> 'running'").map((text) =>
    db.prepare<never, [number | null]>(text),
  );
  const forgetPruned = forgetRowsSql(prunedJobs).map((text) => db.prepare<never, [string, number]>(text));
  const pruneEvents = db.prepare<never, [number]>(pruneEventsSql);
  const discardKeepingFloor = db.transaction((id: number | null) => {
    raiseFloor.run();
    for (const forget of forgetJob) forget.run(id);
    return discard.run(id).changes === 1;
  });
  const pruneKeepingFloor = db.transaction((states: string, finishedBefore: number) => {
    raiseFloor.run();
    for (const forget of forgetPruned) forget.run(states, finishedBefore);
    pruneEvents.run(finishedBefore);
    return prune.run(states, finishedBefore).changes;
  });

  return {
    get: (id) => {
      const row = get.get(toRowId(id));
      return row ? toJobRecord(row) : null;
    },
    list: ({ state, name, queue, key, limit: asked, cursor, order }) => {
      if (key !== undefined) {
        // A key names at most one job (unique index): no page to walk.
        const row = byKey.get(key);
        const match =
          row && (!state || row.state === state) && (!name || row.name === name) && (!queue || row.queue === queue);
        return { jobs: match ? [toJobRecord(row)] : [], nextCursor: null };
      }
      const limit = pageSize(asked);
      const at = cursor === undefined ? null : toRowId(cursor);
      const list = order === "oldest" ? listOldest : listNewest;
      const rows = list.all(state ?? null, name ?? null, at, limit + 1, queue ?? null);
      const page = rows.slice(0, limit).map(toJobRecord);
      return { jobs: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
    },
    counts: () => counts.all(),
    retry: (id, now) => retry.run(now, toRowId(id)).changes === 1,
    runNow: (id, now) => runNow.run(now, toRowId(id)).changes === 1,
    cancel: (id, now) => {
      const row = cancel.get(now, toRowId(id));
      return row ? { id: String(row.id), name: row.name, queue: row.queue, wasRunning: row.wasRunning === 1 } : null;
    },
    cancelled: (ids) =>
      ids.length === 0 ? [] : cancelled.all(JSON.stringify(ids.map(toRowId))).map((row) => String(row.id)),
    progress: (id, value, workerId) => progress.run(value, toRowId(id), workerId).changes === 1,
    discard: (id) => discardKeepingFloor(toRowId(id)),
    prune: ({ finishedBefore, states = ["succeeded"] }) => pruneKeepingFloor(JSON.stringify(states), finishedBefore),
  };
}
