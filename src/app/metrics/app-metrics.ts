import type { CronService, Logger } from "errand";
import { errandMetrics, type MetricsJobs, type MetricsMailer } from "errand/metrics";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface MetricSources {
  jobs: MetricsJobs;
  crons: CronService;
  mailer: MetricsMailer;
  logger: Logger;
}

/**
 * The app's Prometheus metrics, on a registry of its own (two apps in one test process must not share
 * one): Errand's job, cron and mail metrics (errand/metrics, fed by their events, so every job counts),
 * the process's defaults, HTTP request durations and each cron's last run.
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly #httpDuration: Histogram<"method" | "route" | "status">;

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: "errand_app_" });
    const { logger } = sources;
    errandMetrics({ jobs: sources.jobs, cron: sources.crons, mailer: sources.mailer, registry: this.registry, logger });
    this.#httpDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    new Gauge({
      name: "errand_cron_last_run_timestamp_seconds",
      help: "When each cron's latest run finished, by its outcome",
      labelNames: ["cron", "state"],
      registers: [this.registry],
      async collect() {
        this.reset();
        // Last runs are read from the store: while it is down the scrape goes on without them.
        const crons = await sources.crons.list().catch((error: unknown) => {
          logger.warn({ err: error }, "cron last runs left out of the scrape: the store could not be read");
          return [];
        });
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
}
