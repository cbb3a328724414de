// createTestJobs: a Jobs service on a memory store and a fake clock, run by hand. Like Oban's
// drain_jobs / perform_job and Sidekiq's fake mode: enqueue as the app does, then drain() runs what is
// due in this call (no background loop, no timers), and runJob() runs one handler on its own.
import { FakeClock } from "../clock/fake-clock.ts";
import { type Logger, silentLogger } from "../hosting/index.ts";
import { runAttempt } from "../jobs/attempt.ts";
import { AttemptControl } from "../jobs/attempt-control.ts";
import { defaultBackoff } from "../jobs/backoff.ts";
import type { AnyJobDefinition, JobDefinition } from "../jobs/define-job.ts";
import {
  InvalidPayloadError,
  JobCancelledError,
  JobResultError,
  NonRetryableError,
  UnknownJobError,
} from "../jobs/errors.ts";
import { jobRef, startedDetail } from "../jobs/events.ts";
import type { InFlightJob } from "../jobs/in-flight.ts";
import { createJobs, type Jobs } from "../jobs/jobs.ts";
import { describeFailure } from "../jobs/runner.ts";
import type { ClaimedJob, JobRecord } from "../jobs/store.ts";
import { parkedRunAt } from "../jobs/workflow-store.ts";
import { ServiceRegistry } from "../scope/index.ts";
import { type MemoryJobStore, memoryStore } from "../stores/memory/store.ts";
import { RunJobSuspendedError } from "./errors.ts";

export interface TestJobsOptions {
  jobs: readonly AnyJobDefinition[];
  /** Where the fake clock starts (default 2026-01-01T00:00:00Z). */
  now?: number | Date;
  /** Services for the handlers' ctx.scope. */
  registry?: ServiceRegistry;
  logger?: Logger;
  /** As createJobs' maxResultBytes (default 1 MiB). */
  maxResultBytes?: number;
}

export interface DrainOptions {
  /** Also run jobs scheduled for later (delayMs, runAt, debounceMs), moving the clock to each (default false). */
  withScheduled?: boolean;
}

/** What one drain() did: attempts by outcome. */
export interface DrainResult {
  succeeded: number;
  failed: number;
  dead: number;
}

/** A job as enqueued: its record, the payload typed by its definition. */
export type EnqueuedRecord<P, R> = JobRecord<R> & { payload: P };

export interface TestJobs {
  /** The service under test: pass it where the app takes its Jobs (enqueue, cancel, get, list, ...). */
  jobs: Jobs<never>;
  store: MemoryJobStore;
  clock: FakeClock;
  /**
   * Runs every job due now, one at a time, and the retries of those that fail, moving the clock to
   * each retry's time, until nothing is due (jobs a handler enqueues run too). Resolves with the count
   * of attempts by outcome.
   */
  drain(options?: DrainOptions): Promise<DrainResult>;
  /** The jobs of this definition stored so far, oldest first, in any state. */
  enqueued<P, R>(def: JobDefinition<P, R>): Promise<EnqueuedRecord<P, R>[]>;
  /**
   * Runs one handler with a real context (scope, signal, logger), without storing anything: resolves
   * with its result (as stored: through JSON), rejects with its error. The payload is validated first.
   */
  runJob<P, R>(def: JobDefinition<P, R>, payload: NoInfer<P>): Promise<R>;
}

const workerId = "errand-testing";
const day = 86_400_000;
/** A handler that keeps enqueueing work would make drain() run forever. */
const maxAttemptsPerDrain = 100_000;

export function createTestJobs(options: TestJobsOptions): TestJobs {
  const store = memoryStore();
  const clock = new FakeClock(options.now ?? Date.UTC(2026, 0, 1));
  const logger = options.logger ?? silentLogger;
  const jobs = createJobs({ store, jobs: options.jobs, clock, logger });
  const definitions = new Map(options.jobs.map((def) => [def.name, def]));
  const running = new Map<string, AttemptControl>();
  void store.subscribeCancels((id) => running.get(id)?.abort(new JobCancelledError(id)));
  const deps = {
    registry: options.registry ?? new ServiceRegistry(),
    logger,
    store,
    workerId,
    clock,
    maxResultBytes: options.maxResultBytes ?? 1_048_576,
    progress: async (job: InFlightJob, value: unknown) => {
      const json = JSON.stringify(value);
      if (json === undefined) throw new TypeError("ctx.progress needs a number or a JSON value.");
      jobs.events.emit("progress", jobRef(job.claimed), () => ({ progress: JSON.parse(json) as unknown }));
      await store.progress(job.claimed.id, json, { workerId, now: clock.now() });
    },
  };

  async function runClaimed(claimed: ClaimedJob, result: DrainResult): Promise<void> {
    const def = definitions.get(claimed.name)!;
    const control = new AttemptControl();
    running.set(claimed.id, control);
    const startedAt = clock.now();
    jobs.events.emit("started", jobRef(claimed), () => startedDetail(claimed, startedAt));
    const outcome = await runAttempt({ claimed, def, control, abandoned: false, finished: false }, deps);
    running.delete(claimed.id);
    const now = clock.now();
    const attempt = claimed.attempt;
    const durationMs = now - startedAt;
    // A workflow that slept or parked on an event is scheduled again by the store already.
    if (outcome.kind === "abandoned" || outcome.kind === "suspended") return;
    if (outcome.kind === "succeeded") {
      const results = outcome.result === undefined ? undefined : new Map([[claimed.id, outcome.result]]);
      await store.complete([claimed.id], { workerId, now, ...(results ? { results } : {}) });
      result.succeeded++;
      jobs.events.emit("succeeded", jobRef(claimed), () => ({ attempt, durationMs }));
      return;
    }
    const error = describeFailure(outcome.error, attempt, now, workerId, durationMs);
    const final =
      outcome.error instanceof NonRetryableError ||
      outcome.error instanceof JobResultError ||
      attempt >= claimed.maxAttempts;
    const retryAt = final ? null : now + Math.max(0, (def.backoff ?? defaultBackoff)(attempt, outcome.error));
    await store.fail([{ id: claimed.id, error, retryAt }], { workerId, now });
    if (retryAt === null) {
      result.dead++;
      jobs.events.emit("dead", jobRef(claimed), () => ({ attempt, durationMs, error }));
    } else {
      result.failed++;
      jobs.events.emit("failed", jobRef(claimed), () => ({ attempt, durationMs, error, retryAt }));
    }
  }

  /** The earliest pending retry (or scheduled job, when asked): where drain moves the clock next. */
  async function nextDue(withScheduled: boolean): Promise<number | undefined> {
    let next: number | undefined;
    for (const state of withScheduled ? (["failed", "scheduled"] as const) : (["failed"] as const)) {
      let cursor: string | null = null;
      do {
        const page = await store.list({ state, limit: 1000, ...(cursor === null ? {} : { cursor }) });
        for (const job of page.jobs) {
          // A flow parent or an event wait without timeout is never due by the clock.
          if (job.runAt >= parkedRunAt) continue;
          next = next === undefined ? job.runAt : Math.min(next, job.runAt);
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
    }
    return next;
  }

  return {
    jobs,
    store,
    clock,
    async drain(drainOptions = {}) {
      const result: DrainResult = { succeeded: 0, failed: 0, dead: 0 };
      const names = [...definitions.keys()];
      for (let ran = 0; ran < maxAttemptsPerDrain; ) {
        const [claimed] = await store.claim({ workerId, limit: 1, now: clock.now(), leaseMs: day, names });
        if (claimed) {
          await runClaimed(claimed, result);
          ran++;
          continue;
        }
        // Flow parents and `after` jobs whose dependencies have ended become due.
        if ((await store.settleDependencies({ now: clock.now() })).settled > 0) continue;
        const next = await nextDue(drainOptions.withScheduled === true);
        if (next === undefined) return result;
        await clock.advanceTo(Math.max(next, clock.now()));
      }
      throw new Error(
        `drain() ran ${maxAttemptsPerDrain} attempts and jobs are still due: do handlers keep enqueueing?`,
      );
    },
    async enqueued<P, R>(def: JobDefinition<P, R>) {
      const records: JobRecord[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.list({
          name: def.name,
          limit: 1000,
          order: "oldest",
          ...(cursor === null ? {} : { cursor }),
        });
        records.push(...page.jobs);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return records as EnqueuedRecord<P, R>[];
    },
    async runJob<P, R>(def: JobDefinition<P, R>, payload: P): Promise<R> {
      if (definitions.get(def.name) !== (def as unknown)) throw new UnknownJobError(def.name, [...definitions.keys()]);
      const parsed = def.parse(payload);
      if (!parsed.ok) throw new InvalidPayloadError(def.name, parsed.issues);
      // A scratch store holds this one run, so a workflow's steps are saved under a lease it really
      // holds (the service's store never sees the run: enqueued() stays empty).
      const scratch = memoryStore();
      const now = clock.now();
      const row = { name: def.name, queue: def.queue, payload: parsed.value, priority: def.priority, key: null };
      await scratch.enqueue([{ ...row, runAt: now, maxAttempts: def.attempts }], { now });
      const [claimed] = await scratch.claim({ workerId, limit: 1, now, leaseMs: day, names: [def.name] });
      const job = { claimed: claimed!, def: def as unknown as AnyJobDefinition, control: new AttemptControl() };
      const outcome = await runAttempt({ ...job, abandoned: false, finished: false }, { ...deps, store: scratch });
      if (outcome.kind === "failed") throw outcome.error;
      if (outcome.kind === "suspended") throw new RunJobSuspendedError(def.name);
      if (outcome.kind !== "succeeded") throw new Error(`Job "${def.name}" was aborted.`);
      return (outcome.result === undefined ? undefined : JSON.parse(outcome.result)) as R;
    },
  };
}
