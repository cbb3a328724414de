// JobStore interface: STABLE
//
// The persistence contract every job store (memory, SQLite, PostgreSQL) implements. The core
// (dispatcher, executors, Jobs API) talks only to this interface, so all stores pass one contract
// suite (test/stores/contract/job-store.contract.ts).
//
// Conventions every member follows:
// - Times are milliseconds since the epoch and come from the caller (`now`), never from the database
//   clock, so the core's Clock drives schedules, leases and backoff and tests can move time freely.
// - Every call that touches jobs takes arrays: the dispatcher claims, completes, fails, renews and
//   releases in batches, so one round trip (one statement where the SQL allows) serves many jobs.
// - Ids are strings (an SQLite integer, a PostgreSQL bigint or the memory store's counter,
//   stringified): opaque to the core.
// - Writes that change a claimed job (complete, fail, renew, release) apply only while the job is
//   still `running` and `locked_by` the given worker: a worker whose lease expired and was taken over
//   cannot overwrite the new owner's state.

import type { EnqueuedGraphJob, GraphOptions, NewDependency, WorkflowStore } from "./workflow-store.ts";

/**
 * scheduled: waiting for its runAt. ready: due, waiting for a worker. running: claimed under a lease.
 * failed: an attempt failed and a retry is scheduled at runAt. succeeded / dead / cancelled: final
 * (dead and cancelled keep their errors and can be retried by hand; cancelled is never retried on its own).
 */
export type JobState = "scheduled" | "ready" | "running" | "succeeded" | "failed" | "dead" | "cancelled";

export const jobStates: readonly JobState[] = [
  "scheduled",
  "ready",
  "running",
  "succeeded",
  "failed",
  "dead",
  "cancelled",
];

/** The states a job ends in: waitFor resolves at them, prune may delete them. */
export type FinalJobState = "succeeded" | "dead" | "cancelled";

export const finalJobStates: ReadonlySet<JobState> = new Set<JobState>(["succeeded", "dead", "cancelled"]);

/** A job to insert. The core has validated the payload and resolved defaults. */
export interface NewJob {
  name: string;
  queue: string;
  /** JSON-serializable; the store persists it as JSON. */
  payload: unknown;
  /** Higher runs first; ties run in runAt, then id order. */
  priority: number;
  /** When the job becomes due. A runAt later than `now` stores the job as `scheduled`, else `ready`. */
  runAt: number;
  /** Attempts before the job is dead (the first run counts). */
  maxAttempts: number;
  /**
   * Idempotency key: while a job with this key exists, enqueueing it again creates nothing (unless
   * keyTtlMs or debounce below say otherwise).
   */
  key: string | null;
  /**
   * With `key`: the key holds only this long after this enqueue. A later enqueue of the key finds the
   * window closed and creates a new job, releasing the key from the old row (which stays, keyless).
   */
  keyTtlMs?: number | null;
  /**
   * With `key`: while the keyed job has not started (scheduled or ready, no attempt yet), this enqueue
   * replaces its payload and runAt (the caller sets runAt = now + debounceMs), keeping its id. A job
   * that has started releases its key and a new job is created.
   */
  debounce?: boolean;
  /**
   * The enqueuer's trace context (propagation headers as JSON, W3C `traceparent`), when tracing is on:
   * stored so every run joins the enqueuer's trace. Stores keep it as given and return it at claim.
   */
  traceContext?: string | null;
  /**
   * Set by the core only for a due job enqueued outside a transaction, by a worker with an idle
   * executor, on a store with `claimsOnEnqueue`: a created job is stored already claimed by this
   * worker (running, locked_by, the lease, attempt 1), so it starts without a claim round trip. A job
   * whose key matched an existing one creates nothing and claims nothing.
   */
  claimBy?: { workerId: string; leaseExpiresAt: number };
  /** The job's group under a per-key concurrency limit (`concurrency.key(payload)`), computed at enqueue. */
  groupKey?: string | null;
  /** The job's group under a keyed rate limit (`rateLimit.key(payload)`), computed at enqueue. */
  rateKey?: string | null;
}

/** A job name or a queue, as pause and resume take it. */
export type PauseTarget = { name: string; queue?: never } | { queue: string; name?: never };

/** A pause in force: claims skip the name's or queue's jobs until it is resumed. */
export type Pause = PauseTarget & { pausedAt: number };

/** At most `max` starts of a name (or of one rateKey group of it) in any `perMs` window. */
export interface RateLimitRule {
  max: number;
  perMs: number;
  /**
   * The jobs carry a rateKey (rateLimit.key): the claim must look past a full group at the head of
   * the queue. Without it the name is one group and the claim reads only the first due jobs.
   */
  keyed?: boolean;
}

export interface EnqueuedJob {
  id: string;
  /** false when the key matched an existing job, whose id is returned. */
  created: boolean;
}

export interface EnqueueOptions<Tx> {
  now: number;
  /** The caller's transaction: the job commits or rolls back with it (transactional outbox). */
  tx?: Tx;
}

export interface ClaimOptions {
  /** Identifies this process's dispatcher; stored in locked_by. */
  workerId: string;
  /** At most this many jobs. */
  limit: number;
  now: number;
  /** The lease: a claimed job whose lease expires (now + leaseMs) is recovered by recoverExpired. */
  leaseMs: number;
  /** Only jobs with these names (the definitions this process can run). */
  names: readonly string[];
  /** Only these queues; every queue when omitted. */
  queues?: readonly string[];
  /**
   * Per-name limits on running jobs across every worker sharing the store: a name at its limit is
   * skipped, so at most `limits[name]` jobs of that name run at once.
   */
  limits?: Readonly<Record<string, number>>;
  /**
   * Per-name limits per key group: at most `groupLimits[name]` running jobs of that name share one
   * groupKey (a null groupKey is one group), across every worker sharing the store.
   */
  groupLimits?: Readonly<Record<string, number>>;
  /**
   * Per-name rate limits, across every worker sharing the store: a sliding window, so at most `max`
   * claims of the name, per rateKey group (a null rateKey is one group), in any `perMs` span. Jobs over
   * the limit stay pending, their attempt not counted.
   */
  rateLimits?: Readonly<Record<string, RateLimitRule>>;
  /**
   * Called (during the claim) with the earliest time a due job held back by a rate limit may start:
   * when the oldest start in its full window leaves the window. The dispatcher sleeps until then.
   */
  onRateLimited?: (at: number) => void;
  /**
   * At most this many jobs of rate-limited names in this claim (the dispatcher passes its idle
   * executors): a job counted in one window must start in it, not wait in the channel behind others
   * and start together with the next window's. Unlimited when omitted.
   */
  rateLimitedRoom?: number;
  /**
   * The caller's clock, read by the store once it holds the lock a rate-limited claim takes: the
   * starts are counted and recorded at that time, not at `now`, which may be a lock wait earlier (two
   * instances woken by the same freeing window queue on one lock). Defaults to `now`.
   */
  clock?: () => number;
}

/** A job handed to this worker. `attempt` is 1 on the first run and counts this run. */
export interface ClaimedJob {
  id: string;
  name: string;
  queue: string;
  payload: unknown;
  priority: number;
  attempt: number;
  maxAttempts: number;
  enqueuedAt: number;
  runAt: number;
  leaseExpiresAt: number;
  key: string | null;
  /** NewJob.traceContext, as stored. */
  traceContext?: string | null;
}

/** What is kept of a failed attempt (the attempt history). */
export interface JobAttemptError {
  attempt: number;
  /** When the failure was recorded. */
  at: number;
  /** Error class name: `Error`, `NonRetryableError`, `JobTimeoutError`, `LeaseExpiredError`, ... */
  name: string;
  message: string;
  stack?: string;
  /** The worker that ran the attempt, when known. */
  workerId?: string;
  /** How long the attempt ran, when known (not for an attempt lost with its worker). */
  durationMs?: number;
}

export interface JobFailure {
  id: string;
  error: JobAttemptError;
  /** When to run the next attempt (state `failed`), or null: no retry, the job is `dead`. */
  retryAt: number | null;
}

export interface WorkerOptions {
  workerId: string;
  now: number;
}

export interface CompleteOptions extends WorkerOptions {
  /** The handlers' return values as JSON text, by job id; a job missing here stores no result. */
  results?: ReadonlyMap<string, string>;
}

/** What cancel changed: the job, and whether an attempt was running (its worker should abort it). */
export interface CancelledJob {
  id: string;
  name: string;
  queue: string;
  wasRunning: boolean;
}

export interface RenewOptions extends WorkerOptions {
  leaseMs: number;
}

export interface RecoverOptions {
  now: number;
  /** Recover at most this many per call (default: store-defined, large). */
  limit?: number;
}

/** A job as listed and inspected (admin, tests). `R`: the handler's result type, when known. */
export interface JobRecord<R = unknown> {
  id: string;
  name: string;
  queue: string;
  state: JobState;
  payload: unknown;
  priority: number;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  key: string | null;
  enqueuedAt: number;
  runAt: number;
  lockedBy: string | null;
  leaseExpiresAt: number | null;
  finishedAt: number | null;
  /** Every failed attempt, oldest first; the last one is the job's last error. */
  errors: JobAttemptError[];
  /** The handler's return value (JSON) once it succeeded; absent when it returned undefined. */
  result?: R;
  /** The last value the handler reported with ctx.progress; absent when it reported none. */
  progress?: unknown;
}

export interface ListOptions {
  state?: JobState;
  name?: string;
  queue?: string;
  /** Only the job holding this idempotency key (exact match: the key index serves it). */
  key?: string;
  /** Page size: every store returns 1 to 1000 jobs a page (src/stores/common.ts). */
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** "newest" first (default) or "oldest" first: by id, which follows the enqueue order. */
  order?: "newest" | "oldest";
}

/** In the order asked for (by id). */
export interface JobPage {
  jobs: JobRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface JobCount {
  name: string;
  state: JobState;
  count: number;
}

export interface PruneOptions {
  /** Delete jobs that finished before this time. */
  finishedBefore: number;
  /** Which final states to delete (default ["succeeded"]). */
  states?: readonly FinalJobState[];
}

export interface StatsOptions {
  now: number;
  /** Start of the first activity bucket. */
  since: number;
  /** Width of an activity bucket (the dashboard asks for minutes). */
  bucketMs: number;
}

/** Jobs per (queue, name, state) that has jobs. */
export interface QueueCount {
  queue: string;
  name: string;
  state: JobState;
  count: number;
}

/**
 * What happened in one bucket, as the stored jobs tell it (so it covers every instance sharing the
 * store): jobs that succeeded and jobs that died (by finishedAt), and attempts that failed (by the
 * time in their attempt error, so the attempt that made a job dead counts as failed too).
 */
export interface ActivityBucket {
  /** Start of the bucket, in buckets of StatsOptions.bucketMs from `since`. */
  at: number;
  succeeded: number;
  failed: number;
  dead: number;
}

/** Pending jobs already due (waiting for a worker) per queue and name, and the oldest one's due time. */
export interface DueJobs {
  queue: string;
  name: string;
  count: number;
  oldestRunAt: number;
}

export interface JobStats {
  counts: QueueCount[];
  /** Only buckets that have something, in time order; jobs pruned or discarded no longer count. */
  activity: ActivityBucket[];
  due: DueJobs[];
}

/** Stops a wake-up subscription. */
export interface Subscription {
  close(): Promise<void>;
}

/**
 * Persistence for durable jobs. `Tx` is the store's transaction type accepted by `enqueue({ tx })`
 * (a drizzle transaction or database of the same connection); `never` when the store has none.
 */
export interface JobStore<Tx = never> extends WorkflowStore<Tx> {
  /** Applies migrations and opens connections. Idempotent; the core awaits it at start. */
  init(): Promise<void>;

  /**
   * Inserts every job in one statement where possible, results in input order. A job whose key
   * exists (or repeats an earlier key in the same batch) creates nothing and returns the existing id.
   */
  enqueue(jobs: readonly NewJob[], options: EnqueueOptions<Tx>): Promise<EnqueuedJob[]>;

  /**
   * true when `enqueue` without `tx` honours NewJob.claimBy. A store without it must not be handed
   * claimBy: the core would run a job the store left ready for anyone to claim.
   */
  readonly claimsOnEnqueue?: boolean;

  /**
   * Claims up to `limit` due jobs (scheduled, ready or failed with runAt <= now), highest priority
   * first, then oldest runAt: sets running, locked_by, lease_expires_at and counts the attempt.
   */
  claim(options: ClaimOptions): Promise<ClaimedJob[]>;

  /** running -> succeeded for the jobs this worker still holds, storing their results; returns how many changed. */
  complete(ids: readonly string[], options: CompleteOptions): Promise<number>;

  /** running -> failed (retryAt set) or dead (retryAt null), appending each error to the history. */
  fail(failures: readonly JobFailure[], options: WorkerOptions): Promise<number>;

  /** Extends the leases this worker still holds to now + leaseMs; returns the ids still held. */
  renew(ids: readonly string[], options: RenewOptions): Promise<string[]>;

  /**
   * Gives jobs back at once (shutdown): running -> ready, due now, the attempt not counted, so another
   * worker takes them without waiting for the lease to expire. Returns how many were released.
   */
  release(ids: readonly string[], options: WorkerOptions): Promise<number>;

  /**
   * Running jobs whose lease expired (their worker died) become ready again, the attempt counted and
   * a `LeaseExpiredError` appended; those out of attempts become dead. Returns how many changed.
   */
  recoverExpired(options: RecoverOptions): Promise<number>;

  /** Failed, dead or cancelled -> ready now with a fresh attempt budget (history kept). false if not retryable. */
  retry(id: string, options: { now: number }): Promise<boolean>;

  /**
   * A job that has not finished (scheduled, ready, failed awaiting its retry, or running) becomes
   * cancelled, finished now; a running one keeps lockedBy (who ran it), and its worker's later
   * complete, fail, renew or release change nothing. null when the job is unknown or already final.
   */
  cancel(id: string, options: { now: number }): Promise<CancelledJob | null>;

  /** Of `ids`, those now cancelled (a worker checks the jobs it runs when no cancel wake-up arrives). */
  cancelled(ids: readonly string[]): Promise<string[]>;

  /** Stores a running job's progress (JSON text) while this worker holds it; false otherwise. */
  progress(id: string, progress: string, options: WorkerOptions): Promise<boolean>;

  /** Deletes a job that is not running (with its steps and waits). false if it does not exist or is running. */
  discard(id: string): Promise<boolean>;

  /**
   * A scheduled job, or a failed one waiting for its retry, becomes due now (attempts and history
   * kept). false if the job is in another state or does not exist, or is parked (a flow parent or an
   * `after` job waiting for its dependencies: running it now would break its ordering).
   */
  runNow(id: string, options: { now: number }): Promise<boolean>;

  get(id: string): Promise<JobRecord | null>;

  list(options: ListOptions): Promise<JobPage>;

  /** One row per (name, state) that has jobs. */
  counts(): Promise<JobCount[]>;

  /**
   * Counts by queue, name and state, recent activity and the due backlog, for dashboards. An admin
   * call: it may scan the table (cache its result rather than calling it per request).
   */
  stats(options: StatsOptions): Promise<JobStats>;

  /**
   * Deletes finished jobs older than the retention with their workflow steps, dependency rows and
   * event waits, and the events sent before `finishedBefore`; returns how many jobs.
   */
  prune(options: PruneOptions): Promise<number>;

  /**
   * Claims skip the name's or queue's jobs until `resume` (kept in the store, so every worker sharing
   * it and every restart sees it); enqueue still works and running jobs finish. false if already paused.
   */
  pause(target: PauseTarget, options: { now: number }): Promise<boolean>;

  /** Ends a pause; false if the target was not paused. */
  resume(target: PauseTarget): Promise<boolean>;

  /** The pauses in force, names first, then queues, each in name order. */
  paused(): Promise<Pause[]>;

  /**
   * Calls `onWake` when another process enqueued jobs (PostgreSQL LISTEN/NOTIFY), and `onControl`
   * (when given) when one paused or resumed something. Stores without cross-process notification
   * omit it; the dispatcher then relies on polling across processes.
   */
  subscribe?(onWake: () => void, onControl?: () => void): Promise<Subscription>;

  /**
   * Calls `onCancel` with the id of every job cancelled by any process sharing the store (PostgreSQL
   * NOTIFY, the memory store in-process). Stores without it are polled through cancelled().
   */
  subscribeCancels?(onCancel: (id: string) => void): Promise<Subscription>;

  /**
   * waitFor across processes (PostgreSQL): watchEnd marks a job so that its end (succeeded, dead,
   * cancelled) is announced to subscribeEnds listeners of every process; only marked jobs cost a
   * NOTIFY. Stores without them are polled.
   */
  watchEnd?(id: string): Promise<void>;
  subscribeEnds?(onEnd: (id: string) => void): Promise<Subscription>;

  close(): Promise<void>;
}

/**
 * A store that can enqueue synchronously inside the caller's synchronous transaction (bun:sqlite via
 * drizzle: an async callback would not roll back after its first await).
 */
export interface SyncJobStore<Tx> extends JobStore<Tx> {
  enqueueSync(jobs: readonly NewJob[], options: EnqueueOptions<Tx>): EnqueuedJob[];
  /** enqueueGraph, synchronously (flows and `after` inside the caller's synchronous transaction). */
  enqueueGraphSync(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    options: GraphOptions<Tx>,
  ): EnqueuedGraphJob[];
}
