import { Type } from "@sinclair/typebox";
import type { CronJobPage, CronJobs } from "../../../src/cron/index.ts";
import type { AnyJobDefinition } from "../../../src/jobs/define-job.ts";
import { defineJob } from "../../../src/jobs/define-job.ts";
import type { JobRecord, JobState } from "../../../src/jobs/store.ts";

/**
 * An in-memory stand-in for the jobs service with the store's key semantics (one job per key), used
 * to test the scheduler's decisions. Jobs do not run: the test moves them through states, or sets
 * `finishOnEnqueue` to model a handler that completes at once.
 */
export class MemoryCronJobs implements CronJobs {
  readonly records: JobRecord[] = [];
  finishOnEnqueue = false;
  /** Makes the next N enqueue calls fail, as a database outage would. */
  failingEnqueues = 0;
  /** Makes the next N list calls fail. */
  failingLists = 0;
  /** How many list calls were made, failed ones included. */
  listCalls = 0;
  #nextId = 1;

  constructor(private readonly clock: { now(): number }) {}

  async enqueue(job: AnyJobDefinition, payload: unknown, options: { key: string; runAt: Date }): Promise<string> {
    if (this.failingEnqueues > 0) {
      this.failingEnqueues--;
      throw new Error("connection refused");
    }
    const existing = this.records.find((record) => record.key === options.key);
    if (existing) return existing.id;
    const now = this.clock.now();
    const record: JobRecord = {
      id: String(this.#nextId++),
      name: job.name,
      queue: "default",
      state: this.finishOnEnqueue ? "succeeded" : "ready",
      payload,
      priority: 0,
      attempts: this.finishOnEnqueue ? 1 : 0,
      maxAttempts: 3,
      key: options.key,
      enqueuedAt: now,
      runAt: options.runAt.getTime(),
      lockedBy: null,
      leaseExpiresAt: null,
      finishedAt: this.finishOnEnqueue ? now : null,
      errors: [],
    };
    this.records.push(record);
    return record.id;
  }

  async list(options: { name: string; limit: number; cursor?: string }): Promise<CronJobPage> {
    this.listCalls++;
    if (this.failingLists > 0) {
      this.failingLists--;
      throw new Error("connection refused");
    }
    const before = options.cursor === undefined ? Infinity : Number(options.cursor);
    const matching = this.records
      .filter((record) => record.name === options.name && Number(record.id) < before)
      .reverse();
    const jobs = matching.slice(0, options.limit);
    return { jobs, nextCursor: matching.length > options.limit ? jobs.at(-1)!.id : null };
  }

  /** Moves every unfinished job to `state` (a run ending). */
  finishAll(state: JobState = "succeeded"): void {
    for (const record of this.records) {
      if (record.finishedAt !== null) continue;
      record.state = state;
      record.finishedAt = this.clock.now();
    }
  }

  /** Keys of the jobs enqueued so far, oldest first. */
  get keys(): string[] {
    return this.records.map((record) => record.key ?? "");
  }

  /** Tick times (ISO) of the scheduled runs of `cronName`, oldest first. */
  ticks(cronName: string): string[] {
    const prefix = `cron:${cronName}:`;
    return this.keys
      .filter((key) => key.startsWith(prefix) && !key.includes(":manual:"))
      .map((key) => key.slice(prefix.length));
  }
}

/** Jobs never run here, so the handlers only need to exist. */
export const cleanupJob = defineJob({
  name: "cleanup",
  payload: Type.Object({ batch: Type.Number() }),
  handler: () => {},
});
export const otherJob = defineJob({ name: "other", payload: Type.Null(), handler: () => {} });
