// Turns enqueue arguments into a store row, refusing anything that would poison the queue.
import { isStorableText, type JobDefinition, maxPriority, minPriority } from "./define-job.ts";
import { describeValue } from "./describe-value.ts";
import { InvalidEnqueueOptionsError, InvalidPayloadError } from "./errors.ts";
import type { NewJob } from "./store.ts";

export interface EnqueueJobOptions {
  /** Run no earlier than this many ms from now. Not with runAt. */
  delayMs?: number;
  /** Run no earlier than this time. Not with delayMs. */
  runAt?: Date;
  /** Overrides the definition's priority; higher runs first. */
  priority?: number;
  /**
   * Idempotency key: while a job with this key exists, enqueueing it again returns its id, creating
   * nothing (for a limited time with keyTtlMs; debounceMs moves the job instead).
   */
  key?: string;
  /**
   * Runs once these jobs have succeeded (it waits, parked, until then); if one ends dead or cancelled,
   * this job ends cancelled without running, its error naming that job (DependencyFailedError). Not
   * with keyTtlMs or debounceMs.
   */
  after?: string | readonly string[];
  /**
   * With `key`: duplicates are dropped only this long after this enqueue; afterwards an enqueue of the
   * key creates a new job even if the old one is still stored (Oban's uniqueness period).
   */
  keyTtlMs?: number;
  /**
   * With `key`: while the keyed job has not started, each enqueue replaces its payload and moves its
   * start to now + debounceMs (same id); once it has started, the next enqueue creates a new job.
   * Not with delayMs or runAt.
   */
  debounceMs?: number;
}

export function toNewJob<P>(def: JobDefinition<P>, payload: P, options: EnqueueJobOptions, now: number): NewJob {
  const parsed = def.parse(payload);
  if (!parsed.ok) throw new InvalidPayloadError(def.name, parsed.issues);
  const key = keyOf(def.name, options.key);
  const row: NewJob = {
    name: def.name,
    queue: def.queue,
    payload: parsed.value,
    priority: priorityOf(def.name, def.priority, options.priority),
    runAt: runAtOf(def.name, options, now),
    maxAttempts: def.attempts,
    key,
    ...groupKeys(def, parsed.value),
  };
  return options.keyTtlMs === undefined && options.debounceMs === undefined
    ? row
    : withWindows(def.name, row, options, now);
}

/** keyTtlMs and debounceMs: both need a key; a debounce sets the start itself. */
function withWindows(job: string, row: NewJob, options: EnqueueJobOptions, now: number): NewJob {
  const { keyTtlMs, debounceMs } = options;
  for (const [option, value] of [
    ["keyTtlMs", keyTtlMs],
    ["debounceMs", debounceMs],
  ] as const) {
    if (value === undefined) continue;
    if (row.key === null)
      throw new InvalidEnqueueOptionsError(`Job "${job}": ${option} needs a key (the window applies to a key).`);
    if (typeof value !== "number" || !Number.isFinite(value) || value < (option === "keyTtlMs" ? 1 : 0))
      throw new InvalidEnqueueOptionsError(
        `Job "${job}": ${option} must be a finite number ${option === "keyTtlMs" ? "> 0" : ">= 0"}, got ${describeValue(value)}.`,
      );
  }
  if (debounceMs === undefined) return { ...row, keyTtlMs: Math.round(keyTtlMs!) };
  if (options.delayMs !== undefined || options.runAt !== undefined)
    throw new InvalidEnqueueOptionsError(
      `Job "${job}": debounceMs sets the start itself (now + debounceMs); give it without ${options.delayMs !== undefined ? "delayMs" : "runAt"}.`,
    );
  return {
    ...row,
    runAt: now + Math.round(debounceMs),
    debounce: true,
    ...(keyTtlMs === undefined ? {} : { keyTtlMs: Math.round(keyTtlMs) }),
  };
}

/**
 * The key groups of per-key concurrency and keyed rate limits, computed here because the stores cannot
 * run the definition's key functions: the claim groups jobs by these stored columns. Only present when
 * configured, so an unlimited job's row is what it always was.
 */
function groupKeys<P>(def: JobDefinition<P>, payload: P): Pick<NewJob, "groupKey" | "rateKey"> {
  const group = def.concurrencyByKey;
  const rateKey = def.rateLimit?.key;
  if (!group && !rateKey) return {};
  return {
    ...(group ? { groupKey: groupKeyOf(def.name, "concurrency.key", group.key, payload) } : {}),
    ...(rateKey ? { rateKey: groupKeyOf(def.name, "rateLimit.key", rateKey, payload) } : {}),
  };
}

function groupKeyOf<P>(job: string, option: string, key: (payload: P) => string | number, payload: P): string {
  const value: unknown = key(payload);
  if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) return String(value);
  throw new InvalidEnqueueOptionsError(
    `Job "${job}": ${option} must return a string or a finite number, got ${describeValue(value)}.`,
  );
}

function runAtOf(job: string, { delayMs, runAt }: EnqueueJobOptions, now: number): number {
  if (delayMs !== undefined && runAt !== undefined) {
    throw new InvalidEnqueueOptionsError(`Job "${job}": give delayMs or runAt, not both.`);
  }
  if (delayMs !== undefined) {
    if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0) {
      throw new InvalidEnqueueOptionsError(
        `Job "${job}": delayMs must be a finite number >= 0, got ${describeValue(delayMs)}.`,
      );
    }
    return now + Math.round(delayMs);
  }
  if (runAt !== undefined) {
    if (!(runAt instanceof Date) || Number.isNaN(runAt.getTime())) {
      throw new InvalidEnqueueOptionsError(`Job "${job}": runAt must be a valid Date, got ${describeValue(runAt)}.`);
    }
    return runAt.getTime();
  }
  return now;
}

function priorityOf(job: string, fallback: number, priority: unknown): number {
  if (priority === undefined) return fallback;
  if (Number.isInteger(priority) && (priority as number) >= minPriority && (priority as number) <= maxPriority)
    return priority as number;
  throw new InvalidEnqueueOptionsError(
    `Job "${job}": priority must be an integer from ${minPriority} to ${maxPriority}, got ${describeValue(priority)}.`,
  );
}

function keyOf(job: string, key: unknown): string | null {
  if (key === undefined) return null;
  if (isStorableText(key)) return key;
  throw new InvalidEnqueueOptionsError(
    `Job "${job}": key must be a non-empty string without NUL characters, got ${describeValue(key)}.`,
  );
}
