// Dashboard figures: counts by queue, name and state; what finished and failed per bucket; the due
// backlog. Admin reads that scan the table (no index is kept for them: it would cost every job a
// write), so as few scans as possible: one for counts, finished buckets and the due backlog, one for
// the failed attempts' times. bun:sqlite blocks the process while they run: callers cache the result.
import type { Database } from "bun:sqlite";
import type { ActivityBucket, DueJobs, JobState, JobStats, QueueCount, StatsOptions } from "../../../jobs/store.ts";

// ?1 since, ?2 bucket width, ?3 now. Integer division: every operand is an integer. `bucket` is -1
// for rows that did not finish in the window, so grouping by it still yields each (queue, name, state).
const groupsSql = `SELECT queue, name, state,
    CASE WHEN state IN ('succeeded', 'dead') AND finished_at BETWEEN ?1 AND ?3
      THEN ?1 + (finished_at - ?1) / ?2 * ?2 ELSE -1 END AS bucket,
    count(*) AS count,
    sum(state IN ('scheduled', 'ready', 'failed') AND run_at <= ?3) AS due,
    min(CASE WHEN state IN ('scheduled', 'ready', 'failed') AND run_at <= ?3 THEN run_at END) AS oldestDue
  FROM errand_jobs GROUP BY queue, name, state, bucket`;
// A job with a failure in the window is unfinished, or finished after that failure (within the window).
const failedSql = `SELECT ?1 + (json_extract(e.value, '$.at') - ?1) / ?2 * ?2 AS at, count(*) AS count
  FROM errand_jobs AS j, json_each(j.errors) AS e
  WHERE j.errors <> '[]' AND (j.finished_at IS NULL OR j.finished_at >= ?1)
    AND json_extract(e.value, '$.at') BETWEEN ?1 AND ?3
  GROUP BY at`;

interface GroupRow {
  queue: string;
  name: string;
  state: JobState;
  bucket: number;
  count: number;
  due: number;
  oldestDue: number | null;
}

export function prepareStats(db: Database): (options: StatsOptions) => JobStats {
  const groups = db.prepare<GroupRow, [number, number, number]>(groupsSql);
  const failed = db.prepare<{ at: number; count: number }, [number, number, number]>(failedSql);
  return ({ now, since, bucketMs }) => {
    const width = Math.max(1, Math.round(bucketMs));
    const counts = new Map<string, QueueCount>();
    const due = new Map<string, DueJobs>();
    const buckets = new Map<number, ActivityBucket>();
    const bucket = (at: number) => {
      let entry = buckets.get(at);
      if (!entry) {
        entry = { at, succeeded: 0, failed: 0, dead: 0 };
        buckets.set(at, entry);
      }
      return entry;
    };
    for (const row of groups.all(since, width, now)) {
      const countKey = `${row.queue}\u0000${row.name}\u0000${row.state}`;
      const count = counts.get(countKey);
      if (count) count.count += row.count;
      else counts.set(countKey, { queue: row.queue, name: row.name, state: row.state, count: row.count });
      if (row.bucket >= 0 && (row.state === "succeeded" || row.state === "dead"))
        bucket(row.bucket)[row.state] += row.count;
      if (row.due > 0 && row.oldestDue !== null) {
        const dueKey = `${row.queue}\u0000${row.name}`;
        const entry = due.get(dueKey);
        if (!entry) due.set(dueKey, { queue: row.queue, name: row.name, count: row.due, oldestRunAt: row.oldestDue });
        else {
          entry.count += row.due;
          entry.oldestRunAt = Math.min(entry.oldestRunAt, row.oldestDue);
        }
      }
    }
    for (const row of failed.all(since, width, now)) bucket(row.at).failed += row.count;
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return {
      counts: [...counts.values()].sort(
        (a, b) => byText(a.queue, b.queue) || byText(a.name, b.name) || byText(a.state, b.state),
      ),
      activity: [...buckets.values()].sort((a, b) => a.at - b.at),
      due: [...due.values()].sort((a, b) => byText(a.queue, b.queue) || byText(a.name, b.name)),
    };
  };
}
