import type { ActivityBucket, DueJobs, JobAttemptError, JobStats, QueueCount, StatsOptions } from "../../jobs/store.ts";
import { type MemoryJob, pendingStates } from "./records.ts";

/** The memory store's stats(): one pass over the jobs, grouped as the SQL stores group them. */
export function memoryStats(jobs: Iterable<MemoryJob>, { now, since, bucketMs }: StatsOptions): JobStats {
  const counts = new Map<string, QueueCount>();
  const activity = new Map<number, ActivityBucket>();
  const due = new Map<string, DueJobs>();
  const bucket = (time: number) => {
    const at = since + Math.floor((time - since) / bucketMs) * bucketMs;
    let entry = activity.get(at);
    if (!entry) {
      entry = { at, succeeded: 0, failed: 0, dead: 0 };
      activity.set(at, entry);
    }
    return entry;
  };
  const inWindow = (time: number) => time >= since && time <= now;
  for (const job of jobs) {
    const countKey = `${job.queue}\u0000${job.name}\u0000${job.state}`;
    const count = counts.get(countKey);
    if (count) count.count++;
    else counts.set(countKey, { queue: job.queue, name: job.name, state: job.state, count: 1 });
    if (job.finishedAt !== null && inWindow(job.finishedAt)) {
      if (job.state === "succeeded") bucket(job.finishedAt).succeeded++;
      else if (job.state === "dead") bucket(job.finishedAt).dead++;
    }
    if (job.errors.length > 0 && (job.finishedAt === null || job.finishedAt >= since)) {
      for (const text of job.errors) {
        const { at } = JSON.parse(text) as JobAttemptError;
        if (inWindow(at)) bucket(at).failed++;
      }
    }
    if (pendingStates.has(job.state) && job.runAt <= now) {
      const dueKey = `${job.queue}\u0000${job.name}`;
      const entry = due.get(dueKey);
      if (!entry) due.set(dueKey, { queue: job.queue, name: job.name, count: 1, oldestRunAt: job.runAt });
      else {
        entry.count++;
        entry.oldestRunAt = Math.min(entry.oldestRunAt, job.runAt);
      }
    }
  }
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    counts: [...counts.values()].sort(
      (a, b) => byText(a.queue, b.queue) || byText(a.name, b.name) || byText(a.state, b.state),
    ),
    activity: [...activity.values()].sort((a, b) => a.at - b.at),
    due: [...due.values()].sort((a, b) => byText(a.queue, b.queue) || byText(a.name, b.name)),
  };
}
