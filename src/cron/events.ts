// What the cron scheduler did, dispatched in the process where it happened (metrics listen here). A
// run's outcome is its job's: listen to jobs.events for it (the job key names the cron, keys.ts).
import { type TypedEventListener, TypedEventTarget } from "../events/typed-event-target.ts";

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

export type CronEventListener<K extends CronEventType> = TypedEventListener<CronEvent<K>>;

/** An EventTarget typed for cron events. */
export class CronEvents extends TypedEventTarget<{ [K in CronEventType]: CronEvent<K> }> {
  emit<K extends CronEventType>(type: K, cron: string, detail: CronEventDetails[K]): void {
    this.dispatchEvent(new CronEvent(type, cron, detail));
  }
}
