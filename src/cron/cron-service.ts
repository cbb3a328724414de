import { type Clock, systemClock } from "../clock/clock.ts";
import { BackgroundService } from "../hosting/background-service.ts";
import { consoleLogger, type Logger } from "../hosting/logger.ts";
import type { CronJobs } from "./cron-jobs.ts";
import { type CronRunStatus, type CronStatus, describeCron, describeRun } from "./cron-status.ts";
import { CronTicker } from "./cron-ticker.ts";
import type { CronDefinition } from "./define-cron.ts";
import { DuplicateCronError, UnknownCronError } from "./errors.ts";
import { CronEvents } from "./events.ts";
import { manualKey } from "./keys.ts";
import { readHistory, readRuns } from "./run-history.ts";

export interface CronServiceOptions {
  /** The jobs service (createJobs) every tick is enqueued into. */
  jobs: CronJobs;
  crons: readonly CronDefinition[];
  clock?: Clock;
  logger?: Logger;
  /** A tick noticed at most this late still runs as on time; later, it counts as missed (default 60 s). */
  lateToleranceMs?: number;
  /** How soon to look again while a run blocks the next tick, or after a store error (default 1 s). */
  pollIntervalMs?: number;
}

/**
 * Timers never sleep longer than this. Monotonic timers do not count time spent suspended, so a long
 * timer set before a laptop sleeps fires late by the whole suspension; re-reading the clock every
 * minute bounds how late a missed tick is noticed.
 */
const maxSleepMs = 60_000;

/**
 * The cron scheduler, a BackgroundService: at each tick of each enabled cron it enqueues the cron's job
 * under the key `cron:<name>:<tick ISO time>`, so however many instances run it, one job per tick exists.
 */
export class CronService extends BackgroundService {
  readonly name = "cron";
  readonly #jobs: CronJobs;
  readonly #crons: ReadonlyMap<string, CronDefinition>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #lateToleranceMs: number;
  readonly #pollIntervalMs: number;
  readonly #tickers: ReadonlyMap<string, CronTicker>;
  /** Crons this process does not schedule: disabled by definition or by disable(). */
  readonly #disabled = new Set<string>();
  /** Aborted to make the scheduler look at its crons again before its sleep ends. */
  #wake = new AbortController();
  /**
   * What the scheduler does in this process: `enqueued` (a run, by tick or trigger), `skipped` (ticks
   * not run while the previous run is unfinished), `missed` (ticks the missed policy does not run).
   */
  readonly events = new CronEvents();

  constructor(options: CronServiceOptions) {
    super();
    this.#jobs = options.jobs;
    this.#crons = indexByName(options.crons);
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? consoleLogger).child({ component: "cron" });
    this.#lateToleranceMs = nonNegative("lateToleranceMs", options.lateToleranceMs ?? 60_000);
    this.#pollIntervalMs = nonNegative("pollIntervalMs", options.pollIntervalMs ?? 1_000);
    this.#tickers = new Map(
      [...this.#crons.values()].map((cron) => [
        cron.name,
        new CronTicker(cron, this.#jobs, this.#logger, this.#lateToleranceMs, this.events),
      ]),
    );
    for (const cron of this.#crons.values()) if (!cron.enabled) this.#disabled.add(cron.name);
  }

  /** Every cron with its next tick and its latest run, read from the jobs table (so it covers all instances). */
  async list(): Promise<CronStatus[]> {
    const now = this.#clock.now();
    return Promise.all(
      [...this.#crons.values()].map(async (cron) =>
        describeCron(
          cron,
          await readHistory(this.#jobs, cron.name, cron.job.name),
          now,
          !this.#disabled.has(cron.name),
        ),
      ),
    );
  }

  /** The cron's newest runs (ticks and triggers, on any instance), newest first. */
  async runs(cronName: string, options: { limit?: number } = {}): Promise<CronRunStatus[]> {
    const cron = this.#cron(cronName);
    const runs = await readRuns(this.#jobs, cron.name, cron.job.name, Math.max(1, options.limit ?? 10));
    return runs.map((job) => describeRun(cron.name, job));
  }

  /** Enqueues a run now, outside the schedule (also for a disabled cron); returns the job id. */
  async trigger(cronName: string): Promise<string> {
    const cron = this.#cron(cronName);
    const now = this.#clock.now();
    const jobId = await this.#jobs.enqueue(cron.job, cron.payloadFor(now), {
      key: manualKey(cron.name, now),
      runAt: new Date(now),
    });
    this.events.emit("enqueued", cron.name, { jobId, tick: null });
    return jobId;
  }

  /**
   * Stops scheduling the cron in this process (trigger() still runs it). Other instances sharing the
   * store keep their own setting: disable it on each, or give the definition `enabled: false`.
   */
  disable(cronName: string): void {
    this.#cron(cronName);
    this.#disabled.add(cronName);
  }

  /** Schedules the cron again from its next tick; the ticks that passed while it was disabled do not run. */
  enable(cronName: string): void {
    this.#cron(cronName);
    if (!this.#disabled.delete(cronName)) return;
    this.#tickers.get(cronName)!.restartAt(this.#clock.now());
    this.#wake.abort();
  }

  protected async execute(stoppingSignal: AbortSignal): Promise<void> {
    while (!stoppingSignal.aborted) {
      // A cron enabled from here on aborts this controller and so cuts the coming sleep short.
      this.#wake = new AbortController();
      const tickers = [...this.#tickers.values()].filter((ticker) => !this.#disabled.has(ticker.cron.name));
      const outcomes = await this.#advanceAll(tickers);
      const now = this.#clock.now();
      const wakeAt = Math.min(now + maxSleepMs, ...tickers.map((ticker, i) => this.#wakeAt(ticker, outcomes[i]!, now)));
      try {
        await this.#clock.sleep(wakeAt - now, AbortSignal.any([stoppingSignal, this.#wake.signal]));
      } catch {
        // The stopping signal ends the loop; a wake-up (a cron enabled) only cuts the sleep short.
      }
    }
  }

  #cron(cronName: string): CronDefinition {
    const cron = this.#crons.get(cronName);
    if (!cron) throw new UnknownCronError(cronName, [...this.#crons.keys()]);
    return cron;
  }

  /**
   * When a cron needs the scheduler next. A failed cron's next tick may already be past (its cursor
   * did not move), so it waits a poll interval rather than spin against a broken store.
   */
  #wakeAt(ticker: CronTicker, outcome: AdvanceOutcome, now: number): number {
    const retryAt = now + this.#pollIntervalMs;
    if (outcome === "failed") return retryAt;
    const nextTick = ticker.nextTick(now) ?? Infinity;
    return outcome === "waiting" ? Math.min(nextTick, retryAt) : nextTick;
  }

  /**
   * Advances every cron concurrently (each is a few store round trips; a pool serves them in
   * parallel). One cron's store error is logged and retried without holding up the others.
   */
  #advanceAll(tickers: readonly CronTicker[]): Promise<AdvanceOutcome[]> {
    return Promise.all(
      tickers.map(async (ticker): Promise<AdvanceOutcome> => {
        try {
          await ticker.advance(this.#clock.now());
          return ticker.waiting ? "waiting" : "done";
        } catch (error) {
          this.#logger.error(
            { cron: ticker.cron.name, err: error },
            "cron could not read or enqueue its tick; retrying",
          );
          return "failed";
        }
      }),
    );
  }
}

/** done: nothing left until the next tick. waiting: ticks wait for a run to finish. failed: a store error. */
type AdvanceOutcome = "done" | "waiting" | "failed";

/** Creates the cron scheduler; register it with the Host (or the Elysia cron plugin) after the jobs service. */
export function createCron(options: CronServiceOptions): CronService {
  return new CronService(options);
}

function indexByName(crons: readonly CronDefinition[]): Map<string, CronDefinition> {
  const byName = new Map<string, CronDefinition>();
  for (const cron of crons) {
    if (byName.has(cron.name)) throw new DuplicateCronError(cron.name);
    byName.set(cron.name, cron);
  }
  return byName;
}

function nonNegative(option: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`createCron: ${option} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}
