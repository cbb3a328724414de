// Dashboard figures: counts by queue, name and state; what finished and failed per bucket; the due
// backlog. Admin reads on the default pool, run together; jobs_finished_idx serves the finished ones.
import type { ActivityBucket, DueJobs, JobStats, QueueCount, StatsOptions } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";
import { type Fragment, sql } from "../template.ts";

interface BucketRow {
  at: string;
  state: "succeeded" | "dead" | "failed";
  count: number;
}

export async function stats(ctx: StoreContext, { now, since, bucketMs }: StatsOptions): Promise<JobStats> {
  const q = ctx.db;
  const width = Math.max(1, Math.round(bucketMs));
  const bucketOf = (time: Fragment) =>
    sql`${since}::bigint + (${time} - ${since}::bigint) / ${width}::bigint * ${width}::bigint`;
  const [counts, finished, failed, due] = await Promise.all([
    q<QueueCount>`
      select queue, name, state, count(*)::int as count from ${ctx.jobs}
      group by queue, name, state order by queue, name, state`,
    q<BucketRow>`
      select ${bucketOf(sql`finished_at`)} as at, state, count(*)::int as count from ${ctx.jobs}
      where state in ('succeeded', 'dead') and finished_at between ${since}::bigint and ${now}::bigint
      group by 1, 2`,
    // A job with a failure in the window is unfinished, or finished after that failure; the two
    // halves let each use its partial index instead of one scan of the table.
    q<BucketRow>`
      with recent as (
        select errors from ${ctx.jobs} where state in ('scheduled', 'ready', 'failed', 'running') and errors <> '[]'::jsonb
        union all
        select errors from ${ctx.jobs}
        where state in ('succeeded', 'dead') and finished_at >= ${since}::bigint and errors <> '[]'::jsonb
      )
      select ${bucketOf(sql`(e->>'at')::bigint`)} as at, 'failed' as state, count(*)::int as count
      from recent, jsonb_array_elements(recent.errors) as e
      where (e->>'at')::bigint between ${since}::bigint and ${now}::bigint
      group by 1`,
    q<Omit<DueJobs, "oldestRunAt"> & { oldest_run_at: string }>`
      select queue, name, count(*)::int as count, min(run_at) as oldest_run_at from ${ctx.jobs}
      where state in ('scheduled', 'ready', 'failed') and run_at <= ${now}::bigint
      group by queue, name order by queue, name`,
  ]);
  const buckets = new Map<number, ActivityBucket>();
  for (const row of [...finished, ...failed]) {
    const at = Number(row.at);
    let entry = buckets.get(at);
    if (!entry) {
      entry = { at, succeeded: 0, failed: 0, dead: 0 };
      buckets.set(at, entry);
    }
    entry[row.state] += row.count;
  }
  return {
    counts: [...counts],
    activity: [...buckets.values()].sort((a, b) => a.at - b.at),
    due: due.map(({ oldest_run_at, ...rest }) => ({ ...rest, oldestRunAt: Number(oldest_run_at) })),
  };
}
