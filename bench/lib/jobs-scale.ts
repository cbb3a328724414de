import { endToEnd, type MeasureOptions } from "./jobs-measure.ts";
import type { JobsBenchSystem } from "./jobs-system.ts";

export interface ScaleResult {
  perSecond: number;
  capped: boolean;
  /** Resident set size when the run began (backlog not yet inserted), and its peak during the run, MB. */
  rssStartMb: number;
  rssPeakMb: number;
}

const mb = (bytes: number) => bytes / (1024 * 1024);

/**
 * The end-to-end run at `n` jobs (the backlog inserted first, not timed), sampling this process's RSS
 * every 100 ms: does throughput hold and memory stay flat when the backlog grows?
 */
export async function scaleRun(system: JobsBenchSystem, o: MeasureOptions, n: number): Promise<ScaleResult> {
  Bun.gc(true);
  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 100);
  try {
    const result = await endToEnd(system, { ...o, n });
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    return { ...result, rssStartMb: mb(rssStart), rssPeakMb: mb(rssPeak) };
  } finally {
    clearInterval(sampler);
  }
}
