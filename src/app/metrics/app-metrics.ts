import type { CronStatus, JobCounts } from "errand";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { JobObserver } from "../background/measured.ts";

export interface MetricSources {
  jobCounts(): Promise<JobCounts>;
  crons(): Promise<CronStatus[]>;
}

/**
 * The app's Prometheus metrics, on a registry of its own (two apps in one test process must not share
 * one). Job and cron figures are read from the store at scrape time, so they cover every instance
 * sharing the database, not just this process.
 */
export class AppMetrics implements JobObserver {
  readonly registry = new Registry();
  readonly #httpDuration: Histogram<"method" | "route" | "status">;
  readonly #jobDuration: Histogram<"name" | "outcome">;

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: "errand_app_" });
    this.#httpDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.#jobDuration = new Histogram({
      name: "errand_job_duration_seconds",
      help: "Duration of this process's job attempts by job name and outcome (the _count is the runs)",
      labelNames: ["name", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    new Gauge({
      name: "errand_jobs",
      help: "Jobs in the store by name and state (queue depth for scheduled/ready/running/failed; totals since the last prune for succeeded/dead)",
      labelNames: ["name", "state"],
      registers: [this.registry],
      async collect() {
        const counts = await sources.jobCounts();
        this.reset();
        for (const [name, byState] of Object.entries(counts.byName))
          for (const [state, count] of Object.entries(byState)) if (count > 0) this.set({ name, state }, count);
      },
    });
    new Gauge({
      name: "errand_cron_last_run_timestamp_seconds",
      help: "When each cron's latest run finished, by its outcome",
      labelNames: ["cron", "state"],
      registers: [this.registry],
      async collect() {
        const crons = await sources.crons();
        this.reset();
        for (const cron of crons) {
          const finished = cron.lastRun?.finishedAt;
          if (cron.lastRun && finished)
            this.set({ cron: cron.name, state: cron.lastRun.state }, finished.getTime() / 1000);
        }
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  observeJob(name: string, outcome: "succeeded" | "failed", seconds: number): void {
    this.#jobDuration.observe({ name, outcome }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
