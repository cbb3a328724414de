// Dashboard figures: counts by queue, name and state; what finished and failed per bucket; the due
// backlog. Admin reads: they scan (no index is kept for them, which would cost every job a write).
import type { Database } from "bun:sqlite";
import type { ActivityBucket, DueJobs, JobStats, QueueCount, StatsOptions } from "../../../jobs/store.ts";

const countsSql = `SELECT queue, name, state, count(*) AS count FROM errand_jobs
  GROUP BY queue, name, state ORDER BY queue, name, state`;
// ?1 since, ?2 bucket width, ?3 now. Integer division: every operand is an integer.
const finishedSql = `SELECT ?1 + (finished_at - ?1) / ?2 * ?2 AS at, state, count(*) AS count FROM errand_jobs
  WHERE state IN ('succeeded', 'dead') AND finished_at BETWEEN ?1 AND ?3 GROUP BY at, state`;
// A job with a failure in the window is unfinished, or finished after that failure (within the window).
const failedSql = `SELECT ?1 + (json_extract(e.value, '$.at') - ?1) / ?2 * ?2 AS at, count(*) AS count
  FROM errand_jobs AS j, json_each(j.errors) AS e
  WHERE j.errors <> '[]' AND (j.finished_at IS NULL OR j.finished_at >= ?1)
    AND json_extract(e.value, '$.at') BETWEEN ?1 AND ?3
  GROUP BY at`;
const dueSql = `SELECT queue, name, count(*) AS count, min(run_at) AS oldestRunAt FROM errand_jobs
  WHERE state IN ('scheduled', 'ready', 'failed') AND run_at <= ?1 GROUP BY queue, name ORDER BY queue, name`;

export function prepareStats(db: Database): (options: StatsOptions) => JobStats {
  const counts = db.prepare<QueueCount, []>(countsSql);
  const finished = db.prepare<{ at: number; state: "succeeded" | "dead"; count: number }, [number, number, number]>(
    finishedSql,
  );
  const failed = db.prepare<{ at: number; count: number }, [number, number, number]>(failedSql);
  const due = db.prepare<DueJobs, [number]>(dueSql);
  return ({ now, since, bucketMs }) => {
    const width = Math.max(1, Math.round(bucketMs));
    const buckets = new Map<number, ActivityBucket>();
    const bucket = (at: number) => {
      let entry = buckets.get(at);
      if (!entry) {
        entry = { at, succeeded: 0, failed: 0, dead: 0 };
        buckets.set(at, entry);
      }
      return entry;
    };
    for (const row of finished.all(since, width, now)) bucket(row.at)[row.state] += row.count;
    for (const row of failed.all(since, width, now)) bucket(row.at).failed += row.count;
    return {
      counts: counts.all(),
      activity: [...buckets.values()].sort((a, b) => a.at - b.at),
      due: due.all(now),
    };
  };
}
