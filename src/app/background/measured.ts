import { type JobContext, token } from "errand";

/** Where job runs are counted and timed (the app's Prometheus metrics). */
export interface JobObserver {
  observeJob(name: string, outcome: "succeeded" | "failed", seconds: number): void;
}
export const JobObserverToken = token<JobObserver>("app.job-observer");

/** Wraps a handler so each attempt's duration and outcome reach the JobObserver in the job's scope. */
export function measured<P>(handler: (payload: P, ctx: JobContext) => Promise<void>) {
  return async (payload: P, ctx: JobContext): Promise<void> => {
    const observer = ctx.scope.get(JobObserverToken);
    const started = performance.now();
    try {
      await handler(payload, ctx);
      observer.observeJob(ctx.job.name, "succeeded", (performance.now() - started) / 1000);
    } catch (error) {
      observer.observeJob(ctx.job.name, "failed", (performance.now() - started) / 1000);
      throw error;
    }
  };
}
