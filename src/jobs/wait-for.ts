// jobs.waitFor: resolves when a job reaches a final state. This process's outcome events answer at
// once; an outcome written by another instance is found by reading the job every poll interval.

import { InvalidWaitForOptionsError } from "./errors.ts";
import type { JobEvents, JobEventType } from "./events.ts";
import { finalJobStates, type JobRecord } from "./store.ts";

export interface WaitForJob {
  id: string;
  read(): Promise<JobRecord | null>;
  events: JobEvents;
  pollIntervalMs: number;
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  timeoutError(): Error;
  /** The job disappeared while waited for (discarded). */
  gone(): Error;
  /** Other processes' announcements of the job's end (PostgreSQL): calls `wake`; returns the unsubscribe. */
  ends?: (wake: () => void) => () => void;
}

const outcomes: readonly JobEventType[] = ["succeeded", "dead", "cancelled"];

/** A negative or non-finite timeout would reach setTimeout, which warns and fires at once. */
export function checkWaitForTimeout(id: string, timeoutMs: unknown): void {
  if (timeoutMs === undefined) return;
  if (typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs >= 0) return;
  throw new InvalidWaitForOptionsError(id, timeoutMs);
}

export function waitForJob(w: WaitForJob): Promise<JobRecord> {
  return new Promise<JobRecord>((resolve, reject) => {
    let settled = false;
    let reading = false;
    let again = false;
    const listeners = new AbortController();
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timeout);
      listeners.abort();
      unsubscribe?.();
      settle();
    };
    // One read at a time; a request arriving meanwhile reads once more after it.
    const check = async (): Promise<void> => {
      if (settled) return;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        const record = await w.read();
        if (!record) finish(() => reject(w.gone()));
        else if (finalJobStates.has(record.state)) finish(() => resolve(record));
      } catch {
        // A failed read is retried at the next poll: the store may be back by then.
      } finally {
        reading = false;
        if (again && !settled) {
          again = false;
          void check();
        }
      }
    };
    const onOutcome = (event: { job: { id: string } }) => {
      if (event.job.id === w.id) void check();
    };
    for (const type of outcomes) w.events.addEventListener(type, onOutcome, { signal: listeners.signal });
    const unsubscribe = w.ends?.(() => void check());
    const poll = setInterval(() => void check(), w.pollIntervalMs);
    const timeout =
      w.timeoutMs === undefined ? undefined : setTimeout(() => finish(() => reject(w.timeoutError())), w.timeoutMs);
    if (w.signal) {
      const signal = w.signal;
      if (signal.aborted) finish(() => reject(signal.reason));
      else signal.addEventListener("abort", () => finish(() => reject(signal.reason)), { signal: listeners.signal });
    }
    // The job may have finished between the caller's first read and these listeners.
    void check();
  });
}
