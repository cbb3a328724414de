// What happened to jobs, dispatched in the process where it happened. Metrics, tracing, waitFor and
// the dashboard's live view listen here; so can applications.
import type { TypedEventListener } from "../events/typed-event-target.ts";
import type { ClaimedJob, JobAttemptError } from "./store.ts";

/** The job an event is about. */
export interface JobRef {
  readonly id: string;
  readonly name: string;
  readonly queue: string;
}

/** What each event type carries besides the job. Times are milliseconds since the epoch. */
export interface JobEventDetails {
  /**
   * A job was stored (`created: false`: its key matched an existing job, nothing was stored). Inside
   * the caller's transaction it fires when the insert is made, before that transaction commits.
   */
  enqueued: { runAt: number; key: string | null; created: boolean };
  /** An attempt started in this process; `dueAt` → `startedAt` is the queueing delay. */
  started: {
    attempt: number;
    maxAttempts: number;
    enqueuedAt: number;
    dueAt: number;
    startedAt: number;
    /** The job's idempotency key (a cron run's names its cron: cronOfKey). */
    key: string | null;
  };
  /** The attempt succeeded and its outcome was written. */
  succeeded: { attempt: number; durationMs: number };
  /** The attempt failed and a retry is scheduled at `retryAt` (written). */
  failed: { attempt: number; durationMs: number; error: JobAttemptError; retryAt: number };
  /** The attempt failed and no retry is left, or the error was not retryable (written). */
  dead: { attempt: number; durationMs: number; error: JobAttemptError };
  /** The job was cancelled. */
  cancelled: { reason: string | null };
  /** The handler reported progress. */
  progress: { progress: unknown };
}

export type JobEventType = keyof JobEventDetails;

/** The job a claimed job's events are about. */
export function jobRef({ id, name, queue }: ClaimedJob): JobRef {
  return { id, name, queue };
}

/** The `started` detail of an attempt of a claimed job (the runner's and errand/testing's drain). */
export function startedDetail(claimed: ClaimedJob, startedAt: number): JobEventDetails["started"] {
  return {
    attempt: claimed.attempt,
    maxAttempts: claimed.maxAttempts,
    enqueuedAt: claimed.enqueuedAt,
    dueAt: claimed.runAt,
    startedAt,
    key: claimed.key,
  };
}

export const jobEventTypes: readonly JobEventType[] = [
  "enqueued",
  "started",
  "succeeded",
  "failed",
  "dead",
  "cancelled",
  "progress",
];

export class JobEvent<K extends JobEventType = JobEventType> extends Event {
  declare readonly type: K;
  readonly job: JobRef;
  readonly detail: JobEventDetails[K];

  constructor(type: K, job: JobRef, detail: JobEventDetails[K]) {
    super(type);
    this.job = job;
    this.detail = detail;
  }
}

export type JobEventListener<K extends JobEventType> = TypedEventListener<JobEvent<K>>;

/**
 * An EventTarget typed for job events. It keeps track of its listeners so that the hot path builds no
 * event nobody hears: building and dispatching one costs ~350 ns, and a job has several.
 */
export class JobEvents extends EventTarget {
  /** Per type, what EventTarget holds for each listener (a wrapper for once-listeners). */
  readonly #registered = new Map<string, Map<unknown, EventListenerOrEventListenerObject>>();

  override addEventListener<K extends JobEventType>(
    type: K,
    listener: JobEventListener<K> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const signal = typeof options === "object" ? options.signal : undefined;
    if (listener === null || signal?.aborted) return;
    const byListener = this.#registered.get(type) ?? new Map();
    this.#registered.set(type, byListener);
    const key = listenerKey(listener, options);
    if (byListener.has(key)) return;
    const forget = () => byListener.delete(key);
    // EventTarget drops a once-listener silently after it fires, so it is wrapped to be forgotten too.
    const once = typeof options === "object" && options.once === true;
    const registered = (once ? onceWrapper(listener, forget) : listener) as EventListenerOrEventListenerObject;
    byListener.set(key, registered);
    signal?.addEventListener("abort", forget, { once: true });
    super.addEventListener(type, registered, options);
  }

  override removeEventListener<K extends JobEventType>(
    type: K,
    listener: JobEventListener<K> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    if (listener === null) return;
    const byListener = this.#registered.get(type);
    const key = listenerKey(listener, options);
    const registered = byListener?.get(key);
    if (!registered) return;
    byListener!.delete(key);
    super.removeEventListener(type, registered, options);
  }

  /** True while at least one listener for `type` is registered. */
  listens(type: JobEventType): boolean {
    return (this.#registered.get(type)?.size ?? 0) > 0;
  }

  /** Dispatches an event of `type` if anyone listens; `detail` is built only then. */
  emit<K extends JobEventType>(type: K, job: JobRef, detail: () => JobEventDetails[K]): void {
    if (this.listens(type)) this.dispatchEvent(new JobEvent(type, job, detail()));
  }
}

/** EventTarget identifies a listener by the function and the capture flag. */
function listenerKey(listener: unknown, options: boolean | EventListenerOptions | undefined): unknown {
  const capture = typeof options === "boolean" ? options : options?.capture === true;
  return capture ? captured(listener) : listener;
}

const capturedKeys = new WeakMap<object, object>();
function captured(listener: unknown): object {
  const target = listener as object;
  let key = capturedKeys.get(target);
  if (!key) {
    key = { capturedListener: listener };
    capturedKeys.set(target, key);
  }
  return key;
}

function onceWrapper<K extends JobEventType>(listener: JobEventListener<K>, forget: () => void) {
  return (event: Event) => {
    forget();
    if (typeof listener === "function") listener(event as JobEvent<K>);
    else listener.handleEvent(event as JobEvent<K>);
  };
}
