// Prometheus metrics for Errand, fed by the events jobs, cron and the mailer dispatch, so every job
// counts without wrapping its handler. Counters and histograms describe this process (Prometheus sums
// them across instances); the errand_jobs gauge is read from the store, so it describes the shared
// queue whichever instance is scraped.
//
// prom-client (a peer dependency, ~35 ms to load) is never loaded by importing errand/metrics nor by
// creating the metrics: they are series.ts objects, registered in the app's registry when it gives one
// (it loaded prom-client already), else in a registry of their own made at the first scrape.
import type { Registry } from "prom-client";
import type { CronEvent, CronEvents } from "../cron/index.ts";
import { cronOfKey } from "../cron/index.ts";
import { consoleLogger, type Logger } from "../hosting/index.ts";
import { type JobCounts, type JobEvent, type JobEvents, type JobEventType, jobStates } from "../jobs/index.ts";
import { PromClientMissingError } from "./errors.ts";
import { type Collected, CollectedGauge, FastCounter, FastHistogram, type MetricValue } from "./series.ts";

/** What metrics use of a jobs service: its events and counts (createJobs satisfies it). */
export interface MetricsJobs {
  readonly events: JobEvents;
  counts(): Promise<JobCounts>;
  /** Claimed jobs waiting for an executor; reported as errand_channel_depth{channel="jobs"} when present. */
  readonly buffered?: number;
  readonly name?: string;
}

/** What metrics use of the cron service: its events (createCron satisfies it). */
export interface MetricsCron {
  readonly events: CronEvents;
}

/** What metrics use of a mailer: its events (createMailer satisfies it). */
export interface MetricsMailer {
  readonly events: EventTarget;
}

/** A channel's depth: a channel (its reader's count), a reader, or a function. */
export type ChannelDepth =
  | { readonly reader: { readonly count: number } }
  | { readonly count: number }
  | (() => number);

export interface ErrandMetricsOptions {
  jobs?: MetricsJobs | readonly MetricsJobs[];
  cron?: MetricsCron;
  mailer?: MetricsMailer;
  /** In-memory channels to report as errand_channel_depth{channel}. */
  channels?: Readonly<Record<string, ChannelDepth>>;
  /**
   * Where the metrics are registered, at once. Default: a registry of their own, created at the first
   * scrape (`metrics()` or `registry()`), so that prom-client loads only then.
   */
  registry?: Registry;
  /** How long the store's counts behind errand_jobs are reused between scrapes (default 5000 ms). */
  countsCacheMs?: number;
  /** Where a failed read of the store's counts is logged (default: the console). */
  logger?: Logger;
  /** Histogram buckets in seconds. */
  durationBuckets?: number[];
  waitBuckets?: number[];
}

const defaultDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const defaultWaitBuckets = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600];

type Outcome = "succeeded" | "failed" | "dead" | "cancelled";
const outcomes: readonly Outcome[] = ["succeeded", "failed", "dead", "cancelled"];

/**
 * Errand's metrics on a prom-client registry. Names (dashboards depend on them):
 * errand_jobs_enqueued_total{name,queue}, errand_jobs_started_total{name,queue},
 * errand_jobs_completed_total{name,queue,outcome}, errand_job_duration_seconds{name,queue},
 * errand_job_wait_seconds{name,queue}, errand_jobs{state,name}, errand_store_up, errand_channel_depth{channel},
 * errand_cron_runs_total{cron,outcome}, errand_mail_sent_total{template,outcome}.
 */
export class ErrandMetrics {
  readonly #given: Registry | undefined;
  #owned: Promise<Registry> | undefined;
  readonly #collected: Collected[];
  readonly #detach: (() => void)[] = [];
  /** Cron runs under way in this process: job id → cron name, from `started` until the attempt's outcome. */
  readonly #cronRuns = new Map<string, string>();

  constructor(options: ErrandMetricsOptions = {}) {
    const jobs = options.jobs === undefined ? [] : Array.isArray(options.jobs) ? options.jobs : [options.jobs];

    // The per-job series: kept by name and queue in plain maps, read by the registry at scrape.
    const enqueued = new FastCounter(
      "errand_jobs_enqueued_total",
      "Jobs stored by enqueue in this process (a key that matched an existing job stores nothing and is not counted)",
    );
    const started = new FastCounter("errand_jobs_started_total", "Job attempts started in this process");
    const completed = new FastCounter(
      "errand_jobs_completed_total",
      "Job attempts ended in this process, by outcome: succeeded, failed (a retry is scheduled), dead, cancelled",
    );
    const duration = new FastHistogram(
      "errand_job_duration_seconds",
      "How long job handlers ran, per attempt",
      options.durationBuckets ?? defaultDurationBuckets,
    );
    const wait = new FastHistogram(
      "errand_job_wait_seconds",
      "Queueing delay: from when a job was due to when its attempt started",
      options.waitBuckets ?? defaultWaitBuckets,
    );
    const cronRuns = new FastCounter(
      "errand_cron_runs_total",
      "Cron run attempts ended in this process by outcome (succeeded, failed, dead, cancelled), and ticks skipped while a run was unfinished (skipped)",
    );
    const countCron = (cron: string, outcome: string, by = 1) =>
      cronRuns.inc(`${cron}\u0000${outcome}`, () => ({ cron, outcome }), by);
    const mailSent = new FastCounter(
      "errand_mail_sent_total",
      "Mails sent from this process by outcome: sent, failed (retried), rejected (not retried)",
    );
    const countMail = (template: string, outcome: string) =>
      mailSent.inc(`${template}\u0000${outcome}`, () => ({ template, outcome }));

    const counts = cachedCounts(jobs, options.countsCacheMs ?? 5_000);
    const logger = (options.logger ?? consoleLogger).child({ component: "metrics" });
    // A store that cannot be read (the database is down) must not fail the whole scrape: errand_jobs is
    // left out of it, and errand_store_up says why.
    const readCounts = async () => {
      try {
        return await counts();
      } catch (error) {
        logger.warn({ err: error }, "errand_jobs left out of the scrape: the store's counts could not be read");
        return undefined;
      }
    };
    const jobsGauge = new CollectedGauge(
      "errand_jobs",
      "Jobs in the store by state and name (read from the store, so the same on every instance sharing it)",
      async () => {
        const values: MetricValue[] = [];
        for (const [name, byState] of (await readCounts()) ?? [])
          for (const state of Object.keys(byState))
            values.push({ labels: { state, name }, value: byState[state] ?? 0 });
        return values;
      },
    );
    const storeUp = new CollectedGauge(
      "errand_store_up",
      "1 when this scrape read the jobs store's counts (errand_jobs), 0 when it could not (errand_jobs is left out)",
      // The same cached read as errand_jobs' (logged there).
      async () =>
        jobs.length === 0
          ? []
          : [
              {
                labels: {},
                value: await counts().then(
                  () => 1,
                  () => 0,
                ),
              },
            ],
    );
    const channels = { ...options.channels };
    for (const service of jobs)
      if (service.buffered !== undefined)
        channels[jobs.length === 1 ? "jobs" : `jobs:${service.name ?? "jobs"}`] = () => service.buffered ?? 0;
    const channelDepth = new CollectedGauge(
      "errand_channel_depth",
      "Items waiting in in-memory channels (channel=jobs: claimed jobs waiting for an executor)",
      () => Object.entries(channels).map(([channel, source]) => ({ labels: { channel }, value: depthOf(source) })),
    );

    this.#collected = [
      enqueued,
      started,
      completed,
      duration,
      wait,
      cronRuns,
      mailSent,
      jobsGauge,
      storeUp,
      channelDepth,
    ];
    this.#given = options.registry;
    if (this.#given) for (const metric of this.#collected) metric.registerIn(this.#given);

    const listen = <K extends JobEventType>(events: JobEvents, type: K, listener: (event: JobEvent<K>) => void) => {
      events.addEventListener(type, listener);
      this.#detach.push(() => events.removeEventListener(type, listener));
    };
    for (const service of jobs) {
      const events = service.events;
      listen(events, "enqueued", ({ job, detail }) => {
        if (detail.created) enqueued.inc(seriesKey(job), () => labelsOf(job));
      });
      listen(events, "started", ({ job, detail }) => {
        const key = seriesKey(job);
        const labels = () => labelsOf(job);
        started.inc(key, labels);
        wait.observe(key, labels, Math.max(0, detail.startedAt - detail.dueAt) / 1000);
        const cron = detail.key === null ? undefined : cronOfKey(detail.key);
        if (cron === undefined) return;
        // An attempt abandoned with its lease has no outcome here: bound what such runs leave behind.
        if (this.#cronRuns.size >= 10_000) this.#cronRuns.delete(this.#cronRuns.keys().next().value!);
        this.#cronRuns.set(job.id, cron);
      });
      for (const outcome of outcomes) {
        listen(events, outcome, (event) => {
          const { job } = event;
          const key = seriesKey(job);
          completed.inc(`${key}\u0000${outcome}`, () => ({ ...labelsOf(job), outcome }));
          const took = (event.detail as { durationMs?: number }).durationMs;
          if (took !== undefined) duration.observe(key, () => labelsOf(job), took / 1000);
          const cron = this.#cronRuns.get(job.id);
          if (cron !== undefined) {
            this.#cronRuns.delete(job.id);
            countCron(cron, outcome);
          }
        });
      }
    }

    if (options.cron) {
      const events = options.cron.events;
      const skipped = (event: CronEvent<"skipped">) => countCron(event.cron, "skipped", event.detail.ticks.length);
      events.addEventListener("skipped", skipped);
      this.#detach.push(() => events.removeEventListener("skipped", skipped));
    }

    if (options.mailer) {
      const events = options.mailer.events;
      const sent = (event: Event) => {
        const { template } = (event as Event & { detail: { template: string } }).detail;
        countMail(template, "sent");
      };
      const failed = (event: Event) => {
        const { template, retryable } = (event as Event & { detail: { template: string; retryable: boolean } }).detail;
        countMail(template, retryable ? "failed" : "rejected");
      };
      events.addEventListener("sent", sent);
      events.addEventListener("failed", failed);
      this.#detach.push(
        () => events.removeEventListener("sent", sent),
        () => events.removeEventListener("failed", failed),
      );
    }
  }

  /**
   * The registry holding the metrics: the one given in the options, or their own, created (and
   * prom-client loaded) at the first call.
   */
  registry(): Promise<Registry> {
    if (this.#given) return Promise.resolve(this.#given);
    this.#owned ??= import("prom-client").then(
      ({ Registry }) => {
        const registry = new Registry();
        for (const metric of this.#collected) metric.registerIn(registry);
        return registry;
      },
      (error: unknown) => {
        this.#owned = undefined; // installed meanwhile: the next scrape tries again
        throw new PromClientMissingError({ cause: error });
      },
    );
    return this.#owned;
  }

  /** The metrics in Prometheus text format. */
  async metrics(): Promise<string> {
    return (await this.registry()).metrics();
  }

  /** The Content-Type of `metrics()`: the given registry's, else Prometheus text (a registry's default). */
  get contentType(): string {
    return this.#given?.contentType ?? prometheusContentType;
  }

  /** Stops listening to the services' events (the hot path then builds no event for metrics). */
  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
    this.#cronRuns.clear();
  }
}

export function errandMetrics(options: ErrandMetricsOptions = {}): ErrandMetrics {
  return new ErrandMetrics(options);
}

/** prom-client's Registry.PROMETHEUS_CONTENT_TYPE, the default of every new Registry. */
const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

const seriesKey = (job: { name: string; queue: string }) => `${job.name}\u0000${job.queue}`;
const labelsOf = (job: { name: string; queue: string }) => ({ name: job.name, queue: job.queue });

function depthOf(source: ChannelDepth): number {
  if (typeof source === "function") return source();
  return "reader" in source ? source.reader.count : source.count;
}

/** Every state per name (zeros included, so a series does not vanish when its count drops to 0). */
function cachedCounts(jobs: readonly MetricsJobs[], ttlMs: number) {
  let cache: { at: number; value: Promise<Map<string, Record<string, number>>> } | undefined;
  const load = async () => {
    const merged = new Map<string, Record<string, number>>();
    for (const service of jobs) {
      const counts = await service.counts();
      for (const [name, byState] of Object.entries(counts.byName)) {
        const row = merged.get(name) ?? Object.fromEntries(jobStates.map((s) => [s, 0]));
        // Two services on one store see the same rows: keep one reading rather than doubling it.
        for (const [state, n] of Object.entries(byState)) row[state] = Math.max(row[state] ?? 0, n);
        merged.set(name, row);
      }
    }
    return merged;
  };
  return () => {
    const now = Date.now();
    if (!cache || now - cache.at >= ttlMs) {
      const entry = { at: now, value: load() };
      cache = entry;
      entry.value.catch(() => {
        if (cache === entry) cache = undefined;
      });
    }
    return cache.value;
  };
}
