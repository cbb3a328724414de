import { type Clock, systemClock } from "../clock/clock.ts";
import { BackgroundService } from "../hosting/background-service.ts";
import { consoleLogger, type Logger } from "../hosting/logger.ts";
import type { CronJobs } from "./cron-jobs.ts";
import { type CronStatus, describeCron } from "./cron-status.ts";
import { CronTicker } from "./cron-ticker.ts";
import type { CronDefinition } from "./define-cron.ts";
import { DuplicateCronError, UnknownCronError } from "./errors.ts";
import { manualKey } from "./keys.ts";
import { readHistory } from "./run-history.ts";

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

  constructor(options: CronServiceOptions) {
    super();
    this.#jobs = options.jobs;
    this.#crons = indexByName(options.crons);
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? consoleLogger).child({ component: "cron" });
    this.#lateToleranceMs = nonNegative("lateToleranceMs", options.lateToleranceMs ?? 60_000);
    this.#pollIntervalMs = nonNegative("pollIntervalMs", options.pollIntervalMs ?? 1_000);
  }

  /** Every cron with its next tick and its latest run, read from the jobs table (so it covers all instances). */
  async list(): Promise<CronStatus[]> {
    const now = this.#clock.now();
    return Promise.all(
      [...this.#crons.values()].map(async (cron) =>
        describeCron(cron, await readHistory(this.#jobs, cron.name, cron.job.name), now),
      ),
    );
  }

  /** Enqueues a run now, outside the schedule (also for a disabled cron); returns the job id. */
  async trigger(cronName: string): Promise<string> {
    const cron = this.#crons.get(cronName);
    if (!cron) throw new UnknownCronError(cronName, [...this.#crons.keys()]);
    const now = this.#clock.now();
    return this.#jobs.enqueue(cron.job, cron.payloadFor(now), { key: manualKey(cron.name, now), runAt: new Date(now) });
  }

  protected async execute(stoppingSignal: AbortSignal): Promise<void> {
    const tickers = [...this.#crons.values()]
      .filter((cron) => cron.enabled)
      .map((cron) => new CronTicker(cron, this.#jobs, this.#logger, this.#lateToleranceMs));
    while (!stoppingSignal.aborted) {
      const outcomes = await this.#advanceAll(tickers);
      const now = this.#clock.now();
      const wakeAt = Math.min(now + maxSleepMs, ...tickers.map((ticker, i) => this.#wakeAt(ticker, outcomes[i]!, now)));
      try {
        await this.#clock.sleep(wakeAt - now, stoppingSignal);
      } catch {
        return; // the stopping signal aborted the sleep
      }
    }
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
