import type { Logger } from "../hosting/logger.ts";
import type { JobRecord } from "../jobs/store.ts";
import type { CronJobs } from "./cron-jobs.ts";
import type { CronDefinition } from "./define-cron.ts";
import type { CronEvents } from "./events.ts";
import { tickKey } from "./keys.ts";
import { missedLimit, selectTicks } from "./missed.ts";
import { isUnfinished, readHistory } from "./run-history.ts";

/**
 * One cron's scheduling state in this instance: `cursor` is the latest tick already decided (run or
 * skipped); `pending` holds ticks chosen to run but not yet enqueued because the run before them is
 * unfinished (catch-up runs go one after another).
 */
export class CronTicker {
  #cursor: number | undefined;
  readonly #pending: number[] = [];

  constructor(
    readonly cron: CronDefinition,
    private readonly jobs: CronJobs,
    private readonly logger: Logger,
    private readonly lateToleranceMs: number,
    private readonly events: CronEvents,
  ) {}

  /**
   * Forgets the ticks decided and pending: the cron resumes from `now`, as if it never ran before, so
   * re-enabling it does not run the ticks that passed while it was disabled.
   */
  restartAt(now: number): void {
    this.#cursor = now;
    this.#pending.length = 0;
  }

  /** True while ticks wait for a run to finish: the scheduler must look again soon. */
  get waiting(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * The first tick not decided yet (already past if one fell due while this pass ran), or undefined
   * if the expression never fires again.
   */
  nextTick(now: number): number | undefined {
    return this.cron.schedule.next(this.#cursor ?? now);
  }

  /** Decides the ticks due by `now` and enqueues what may run. Throws on store errors; a later pass retries. */
  async advance(now: number): Promise<void> {
    // Restarts resume from the jobs table; a cron that never ran starts now, with nothing missed.
    this.#cursor ??= (await readHistory(this.jobs, this.cron.name, this.cron.job.name)).latestTick ?? now;
    const firstDue = this.nextTick(now);
    const due = this.#dueBy(now);
    const selected = selectTicks(due, now, this.cron.missed, this.lateToleranceMs);
    const blocker = selected.length > 0 || this.#pending.length > 0 ? await this.#unfinishedRun() : undefined;
    // Ticks before the first one looked at were beyond what the missed policy can use: missed too.
    const overtaken = due.length > 0 && firstDue !== undefined && firstDue < due[0]!;
    if (due.length > selected.length || overtaken) this.#logMissed(due, selected, now);
    if (selected.length > 0) this.#accept(selected, blocker);
    const latestDue = due.at(-1);
    if (latestDue !== undefined) this.#cursor = latestDue;
    await this.#enqueuePending(blocker);
  }

  /** The latest ticks after the cursor up to now, at most as many as the missed policy can use. */
  #dueBy(now: number): number[] {
    const next = this.nextTick(now);
    if (next === undefined || next > now) return [];
    return this.cron.schedule.latestBetween(this.#cursor ?? now, now, missedLimit(this.cron.missed) + 1);
  }

  /** Selected ticks wait in `pending`, unless another run is unfinished: then they are skipped, not queued. */
  #accept(selected: number[], blocker: JobRecord | undefined): void {
    if (blocker && !selected.some((tick) => tickKey(this.cron.name, tick) === blocker.key)) {
      this.events.emit("skipped", this.cron.name, { ticks: selected, unfinishedJobId: blocker.id });
      this.logger.warn(
        {
          cron: this.cron.name,
          ticks: selected.map((tick) => new Date(tick).toISOString()),
          unfinishedJobId: blocker.id,
        },
        "cron tick skipped: the previous run is still unfinished (set overlap: true to allow concurrent runs)",
      );
      return;
    }
    this.#pending.push(...selected);
  }

  async #enqueuePending(blocker: JobRecord | undefined): Promise<void> {
    if (this.cron.overlap) {
      while (this.#pending.length > 0) await this.#enqueue(this.#pending[0]!);
      return;
    }
    const next = this.#pending[0];
    if (next === undefined) return;
    // Another instance may have enqueued this very tick already; enqueueing its key again is a no-op.
    if (!blocker || blocker.key === tickKey(this.cron.name, next)) await this.#enqueue(next);
  }

  async #enqueue(tick: number): Promise<void> {
    const key = tickKey(this.cron.name, tick);
    const jobId = await this.jobs.enqueue(this.cron.job, this.cron.payloadFor(tick), { key, runAt: new Date(tick) });
    this.#pending.shift();
    this.events.emit("enqueued", this.cron.name, { jobId, tick });
    this.logger.debug({ cron: this.cron.name, tick: new Date(tick).toISOString(), jobId }, "cron tick enqueued");
  }

  /** This cron's newest run if it is unfinished (tick or manual), unless overlap is allowed. */
  async #unfinishedRun(): Promise<JobRecord | undefined> {
    if (this.cron.overlap) return undefined;
    const { latestRun } = await readHistory(this.jobs, this.cron.name, this.cron.job.name);
    return latestRun && isUnfinished(latestRun) ? latestRun : undefined;
  }

  #logMissed(due: number[], selected: number[], now: number): void {
    const since = this.#cursor ?? now;
    const catchUpRuns = selected.filter((tick) => now - tick > this.lateToleranceMs).length;
    this.events.emit("missed", this.cron.name, { since, noticedAt: now, catchUpRuns });
    this.logger.info(
      {
        cron: this.cron.name,
        since: new Date(since).toISOString(),
        missed: this.cron.missed,
        catchUpRuns,
        latestDue: new Date(due.at(-1)!).toISOString(),
      },
      "cron ticks missed: the process was down, asleep or too busy to enqueue them on time",
    );
  }
}
