// What the cron scheduler did, dispatched in the process where it happened (metrics listen here). A
// run's outcome is its job's: listen to jobs.events for it (the job key names the cron, keys.ts).

/** What each cron event carries. Times are milliseconds since the epoch. */
export interface CronEventDetails {
  /** A run was enqueued: for a tick (`tick`), or by trigger() (`tick` null). */
  enqueued: { jobId: string; tick: number | null };
  /** Ticks not run because the cron's previous run was still unfinished (overlap: false). */
  skipped: { ticks: number[]; unfinishedJobId: string };
  /**
   * Ticks after `since` passed unnoticed until `noticedAt` (the scheduler was down, asleep or late);
   * the missed policy runs `catchUpRuns` of them late, the others never run (a tick still on time runs
   * as usual).
   */
  missed: { since: number; noticedAt: number; catchUpRuns: number };
}

export type CronEventType = keyof CronEventDetails;

export class CronEvent<K extends CronEventType = CronEventType> extends Event {
  declare readonly type: K;
  constructor(
    type: K,
    /** The cron's name. */
    readonly cron: string,
    readonly detail: CronEventDetails[K],
  ) {
    super(type);
  }
}

export type CronEventListener<K extends CronEventType> =
  | ((event: CronEvent<K>) => void)
  | { handleEvent(event: CronEvent<K>): void };

/** An EventTarget typed for cron events. */
export class CronEvents extends EventTarget {
  override addEventListener<K extends CronEventType>(
    type: K,
    listener: CronEventListener<K> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener<K extends CronEventType>(
    type: K,
    listener: CronEventListener<K> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  emit<K extends CronEventType>(type: K, cron: string, detail: CronEventDetails[K]): void {
    this.dispatchEvent(new CronEvent(type, cron, detail));
  }
}
