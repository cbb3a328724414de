// The `step` a workflow receives: each call has an id and a position; a call whose step is stored
// returns the stored result without running, so a run that resumes (retry, crash, sleep or event)
// replays the finished steps in no time and continues where the last run stopped.

import { describeValue } from "../describe-value.ts";
import { LeaseLostError } from "../errors.ts";
import { parkedRunAt, type StoredEvent, type StoredStep, type Suspension } from "../workflow-store.ts";
import { DuplicateStepError, InvalidStepError, NonDeterministicWorkflowError, StepResultError } from "./errors.ts";
import { type WorkflowRuntime, WorkflowSuspended } from "./runtime.ts";

export interface WaitForEventOptions<T = unknown> {
  /** The event's name, as given to jobs.sendEvent (put the correlation id in it: `shipped:${orderId}`). */
  event: string;
  /** Give up after this long: the step returns null (default: wait forever). */
  timeoutMs?: number;
  /**
   * Only an event whose data passes this check resumes the step; the others are skipped (each one
   * sent while the workflow waits wakes it briefly to check). Keep it a pure function of the data.
   */
  match?: (data: T) => boolean;
}

/** The durable steps of a workflow run (see defineWorkflow). */
export interface WorkflowStep {
  /**
   * Runs `fn` once and stores its result (JSON): when the workflow runs again, the stored result is
   * returned without running `fn`. A throw fails the attempt (retried with the workflow's backoff);
   * a step in flight when the process dies runs again (at-least-once).
   */
  run<T>(id: string, fn: () => T | Promise<T>): Promise<T>;
  /** Ends the attempt and resumes the workflow after `ms`: no process holds it meanwhile. */
  sleep(id: string, ms: number): Promise<void>;
  /** As sleep, until `at`. */
  sleepUntil(id: string, at: Date): Promise<void>;
  /**
   * The data of the first event named `event` sent (jobs.sendEvent) since the workflow was enqueued,
   * or null once `timeoutMs` has passed. The workflow is parked meanwhile: no process holds it.
   */
  waitForEvent<T = unknown>(id: string, options: WaitForEventOptions<T>): Promise<T | null>;
}

type EventResult = { data: unknown; timedOut?: true };
/** A wait not resolved yet: its deadline and the last event it has examined (a cursor past skipped ones). */
type PendingWait = { deadline: number; seen?: string | null };

/** Events read per query while looking for one that matches. */
const eventPage = 100;

export class WorkflowSteps implements WorkflowStep {
  readonly #rt: WorkflowRuntime;
  readonly #workflow: string;
  readonly #byId = new Map<string, StoredStep>();
  readonly #bySeq = new Map<number, StoredStep>();
  readonly #seen = new Set<string>();
  #next = 0;
  /** Set once the store suspended the job: whatever the workflow does next is not recorded. */
  suspended: WorkflowSuspended | undefined;

  constructor(rt: WorkflowRuntime, workflow: string, stored: readonly StoredStep[]) {
    this.#rt = rt;
    this.#workflow = workflow;
    for (const step of stored) {
      this.#byId.set(step.id, step);
      this.#bySeq.set(step.seq, step);
    }
  }

  async run<T>(id: string, fn: () => T | Promise<T>): Promise<T> {
    const { seq, stored } = this.#take(id);
    if (stored?.done) return stored.result as T;
    const result = toJson(id, await fn());
    await this.#save({ id, seq, result, done: true });
    return result as T;
  }

  sleep(id: string, ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0)
      throw new InvalidStepError(`step.sleep("${id}"): ms must be a finite number >= 0, got ${describeValue(ms)}.`);
    return this.#sleepUntil(id, () => this.#rt.clock.now() + Math.round(ms));
  }

  sleepUntil(id: string, at: Date): Promise<void> {
    if (!(at instanceof Date) || Number.isNaN(at.getTime()))
      throw new InvalidStepError(`step.sleepUntil("${id}"): needs a valid Date, got ${describeValue(at)}.`);
    return this.#sleepUntil(id, () => at.getTime());
  }

  async waitForEvent<T = unknown>(id: string, options: WaitForEventOptions<T>): Promise<T | null> {
    const { event, timeoutMs, match } = options;
    if (typeof event !== "string" || event === "")
      throw new InvalidStepError(
        `step.waitForEvent("${id}"): event must be a non-empty string, got ${describeValue(event)}.`,
      );
    if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs >= 0))
      throw new InvalidStepError(
        `step.waitForEvent("${id}"): timeoutMs must be a finite number >= 0 (omit it to wait as long as it takes), got ${describeValue(timeoutMs)}.`,
      );
    const { seq, stored } = this.#take(id);
    if (stored?.done) return (stored.result as EventResult).data as T;
    const now = this.#rt.clock.now();
    const pending = stored?.result as PendingWait | undefined;
    // The deadline is fixed the first time the wait is reached and stored with it.
    const deadline = pending ? pending.deadline : timeoutMs === undefined ? parkedRunAt : now + Math.round(timeoutMs);
    const { found, seen } = await this.#findEvent(event, pending?.seen ?? null, match);
    if (found || now >= deadline) {
      const result: EventResult = found ? { data: found.data } : { data: null, timedOut: true };
      await this.#save({ id, seq, result, done: true }, true);
      return result.data as T;
    }
    const wait = { deadline, seen } satisfies PendingWait;
    const changed = !pending || pending.seen !== seen;
    return this.#suspend({
      runAt: deadline,
      wait: { event, since: this.#rt.enqueuedAt, afterId: seen },
      ...(changed ? { step: { id, seq, result: wait, done: false } } : {}),
    });
  }

  /** The first event after `seen` that matches, and the last event examined (the next cursor). */
  async #findEvent<T>(
    event: string,
    seen: string | null,
    match: ((data: T) => boolean) | undefined,
  ): Promise<{ found: StoredEvent | undefined; seen: string | null }> {
    let cursor = seen;
    for (;;) {
      const page = await this.#rt.store.findEvents(event, {
        since: this.#rt.enqueuedAt,
        afterId: cursor,
        limit: match ? eventPage : 1,
      });
      for (const sent of page) {
        if (!match || match(sent.data as T)) return { found: sent, seen: cursor };
        cursor = sent.id;
      }
      if (page.length < eventPage) return { found: undefined, seen: cursor };
    }
  }

  async #sleepUntil(id: string, wakeAt: () => number): Promise<void> {
    const { seq, stored } = this.#take(id);
    const until = stored ? (stored.result as { until: number }).until : wakeAt();
    if (this.#rt.clock.now() >= until) {
      if (!stored) await this.#save({ id, seq, result: { until }, done: true });
      return;
    }
    await this.#suspend({ runAt: until, ...(stored ? {} : { step: { id, seq, result: { until }, done: true } }) });
  }

  /** The step's position in this run, checked against the stored run. */
  #take(id: string): { seq: number; stored: StoredStep | undefined } {
    if (this.suspended) throw this.suspended;
    if (typeof id !== "string" || id === "")
      throw new InvalidStepError(`A workflow step needs a non-empty string id, got ${describeValue(id)}.`);
    if (this.#seen.has(id)) throw new DuplicateStepError(this.#workflow, id);
    this.#seen.add(id);
    const seq = this.#next++;
    const stored = this.#byId.get(id);
    const atSeq = this.#bySeq.get(seq);
    if ((stored && stored.seq !== seq) || (!stored && atSeq))
      throw new NonDeterministicWorkflowError(this.#workflow, id, seq, atSeq?.id);
    return { seq, stored };
  }

  async #save(step: StoredStep, clearWait = false): Promise<void> {
    const { store, jobId, workerId, clock } = this.#rt;
    const saved = await store.saveStep(jobId, step, { workerId, now: clock.now(), clearWait });
    if (!saved) throw new LeaseLostError(jobId);
  }

  async #suspend(suspension: Omit<Suspension, "id">): Promise<never> {
    const { store, jobId, workerId, clock } = this.#rt;
    const changed = await store.suspend([{ id: jobId, ...suspension }], { workerId, now: clock.now() });
    if (changed === 0) throw new LeaseLostError(jobId);
    this.suspended = new WorkflowSuspended(suspension.runAt);
    throw this.suspended;
  }
}

/** The result as it will be read back on replay, so the first run and every replay see the same value. */
function toJson(id: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new StepResultError(`Step "${id}" returned a value that is not JSON: ${(error as Error).message}`);
  }
  return text === undefined ? undefined : JSON.parse(text);
}
