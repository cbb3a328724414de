// The Jobs service: the enqueue and admin API over a JobStore, and a HostedService whose start and
// stop run the dispatcher and executors (runner.ts).
import { type Clock, systemClock } from "../clock/index.ts";
import { describe } from "../hosting/errors.ts";
import { consoleLogger, type HostedService, type Logger, type ServiceHealth } from "../hosting/index.ts";
import { ServiceRegistry } from "../scope/index.ts";
import { type AnyJobDefinition, hasNul, isStorableText, type JobDefinition } from "./define-job.ts";
import { describeValue } from "./describe-value.ts";
import {
  InvalidEnqueueOptionsError,
  InvalidJobDefinitionError,
  InvalidPauseTargetError,
  SyncEnqueueUnsupportedError,
  TracingUnavailableError,
  UnknownJobError,
  UnknownJobIdError,
  WaitForTimeoutError,
} from "./errors.ts";
import { JobEvents } from "./events.ts";
import { type EndListener, JobEnds } from "./job-ends.ts";
import { type EnqueueJobOptions, toNewJob } from "./new-job.ts";
import { JobRunner } from "./runner.ts";
import {
  type EnqueuedJob,
  type FinalJobState,
  finalJobStates,
  type JobCount,
  type JobPage,
  type JobRecord,
  type JobState,
  type JobStats,
  type JobStore,
  jobStates,
  type ListOptions,
  type NewJob,
  type Pause,
  type PauseTarget,
  type SyncJobStore,
} from "./store.ts";
import type { JobTracing } from "./tracing.ts";
import type { JobsTracingOptions } from "./tracing-options.ts";
import { checkWaitForTimeout, waitForJob } from "./wait-for.ts";
import { Wakeup } from "./wakeup.ts";
import type { EnqueuedGraphJob, NewDependency, StoredStep } from "./workflow-store.ts";
import { checkEventData } from "./workflows/errors.ts";
import { afterIds, type EnqueuedFlow, type FlowChild, type FlowSpec, flowRows, parked } from "./workflows/flow.ts";

export interface JobsOptions<Tx> {
  store: JobStore<Tx>;
  jobs: readonly AnyJobDefinition[];
  /** Handlers running at once in this process (default 10). */
  executors?: number;
  /**
   * Claimed jobs waiting for an executor (default 500): the process holds at most channelCapacity + executors
   * claimed jobs not yet run to their end; with those whose outcome awaits its batched write, at most three times that.
   */
  channelCapacity?: number;
  /**
   * The most ended jobs whose outcomes (succeeded, failed) may await their batched write before an
   * executor waits for that write to start another job (default 1000). It bounds the at-least-once
   * window: when the process dies, the jobs that run again although their handlers may have done their
   * work are the running ones and those awaiting their write, at most executors + maxUnwrittenOutcomes
   * - 1. Lower it for a narrower window; for very short jobs that costs throughput, since executors
   * then wait on writes (bench/jobs.ts end to end, no-op handlers, PostgreSQL: 500 costs 10-16%, 128
   * about a fifth; 1000 is within the noise of no limit).
   */
  maxUnwrittenOutcomes?: number;
  /** How often to look for due jobs when nothing woke the dispatcher, and to recover expired leases (default 1000). */
  pollIntervalMs?: number;
  /** How long a claim is valid without renewal; renewed every third of it while the handler runs (default 30000). */
  leaseMs?: number;
  /** Only run jobs of these queues (default: every queue). */
  queues?: readonly string[];
  /** Services for the per-job scopes (ctx.scope). */
  registry?: ServiceRegistry;
  logger?: Logger;
  clock?: Clock;
  /** How long succeeded jobs are kept before jobs.prune() deletes them (default 7 days). */
  retention?: { succeededMs?: number };
  /** The hosted service's name (default "jobs"). */
  name?: string;
  /** Identifies this process in locked_by (default: a random UUID). */
  workerId?: string;
  /**
   * OpenTelemetry spans (`enqueue <name>`, `run <name>` per attempt) through @opentelemetry/api, with
   * the trace context stored with each job (default off: nothing is built per job). `true` uses the
   * global tracer provider the SDK registers.
   */
  tracing?: boolean | JobsTracingOptions;
  /** The largest handler result stored, in UTF-8 bytes of its JSON (default 1 MiB); a larger one makes the job dead. */
  maxResultBytes?: number;
}

export interface WaitForOptions {
  /** Reject with WaitForTimeoutError after this long (default: wait as long as it takes). */
  timeoutMs?: number;
  /** Stop waiting: rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface EnqueueInTx<Tx> {
  /** The caller's transaction: the job commits or rolls back with the business write. */
  tx?: Tx;
}

export interface EnqueueItem<P> extends EnqueueJobOptions {
  payload: P;
}

/** jobs.stats(): the store's figures, every activity bucket present. */
export interface JobStatsView extends JobStats {
  /** When the figures were read. */
  now: number;
  bucketMs: number;
}

export interface JobCounts {
  byState: Record<JobState, number>;
  byName: Record<string, Record<JobState, number>>;
}

const dayMs = 86_400_000;

export class Jobs<Tx = never> implements HostedService {
  readonly name: string;
  readonly store: JobStore<Tx>;
  readonly workerId: string;
  readonly #definitions = new Map<string, AnyJobDefinition>();
  readonly #options: JobsOptions<Tx>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #wakeup = new Wakeup();
  /** Set once tracing.ts has loaded (#loadTracing); undefined while it loads and when tracing is off. */
  #tracing: JobTracing | undefined;
  readonly #tracingLoad: Promise<JobTracing> | undefined;
  /**
   * What happens to jobs in this process: `enqueued` where a job is stored; `started`, `succeeded`,
   * `failed`, `dead` where it runs (outcomes once written). Listen with addEventListener.
   */
  readonly events = new JobEvents();
  #runner: JobRunner | undefined;
  readonly #ends: JobEnds;

  constructor(options: JobsOptions<Tx>) {
    this.#options = options;
    this.name = options.name ?? "jobs";
    this.store = options.store;
    this.#ends = new JobEnds(options.store as JobStore<unknown>);
    this.workerId = options.workerId ?? crypto.randomUUID();
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? consoleLogger).child({ component: this.name });
    for (const def of options.jobs) {
      if (this.#definitions.has(def.name))
        throw new InvalidJobDefinitionError(`Two job definitions are named "${def.name}"; names must be unique.`);
      this.#definitions.set(def.name, def);
    }
    positive("executors", options.executors);
    positive("channelCapacity", options.channelCapacity);
    positive("maxUnwrittenOutcomes", options.maxUnwrittenOutcomes);
    positive("pollIntervalMs", options.pollIntervalMs);
    positive("leaseMs", options.leaseMs);
    positive("maxResultBytes", options.maxResultBytes);
    this.#tracingLoad = options.tracing
      ? this.#loadTracing(options.tracing === true ? {} : options.tracing)
      : undefined;
  }

  /**
   * Loads tracing.ts, and @opentelemetry/api with it, only when tracing is on: importing errand does
   * not pay for the API. start() waits for it, and so does an enqueue made while it loads; a
   * synchronous enqueue cannot wait, so one made before it has loaded (before start) is not traced.
   */
  #loadTracing(options: JobsTracingOptions): Promise<JobTracing> {
    const loading = import("./tracing.ts").then(
      ({ JobTracing }) => {
        this.#tracing = new JobTracing(options);
        return this.#tracing;
      },
      (error: unknown) => {
        throw new TracingUnavailableError(error);
      },
    );
    // Reported by start() or the enqueue that awaits it; until then it must not count as unhandled.
    loading.catch(() => {});
    return loading;
  }

  async start(_signal: AbortSignal): Promise<void> {
    await this.#tracingLoad;
    await this.store.init();
    const o = this.#options;
    this.#runner = new JobRunner({
      store: this.store as JobStore<unknown>,
      definitions: this.#definitions,
      workerId: this.workerId,
      executors: o.executors ?? 10,
      channelCapacity: o.channelCapacity ?? 500,
      maxUnwrittenOutcomes: o.maxUnwrittenOutcomes ?? 1000,
      pollIntervalMs: o.pollIntervalMs ?? 1_000,
      leaseMs: o.leaseMs ?? 30_000,
      queues: o.queues,
      registry: o.registry ?? new ServiceRegistry(),
      logger: this.#logger,
      clock: this.#clock,
      wakeup: this.#wakeup,
      events: this.events,
      tracing: this.#tracing,
      maxResultBytes: o.maxResultBytes ?? 1_048_576,
      progressIntervalMs: Math.min(1_000, o.pollIntervalMs ?? 1_000),
    });
    await this.#runner.start();
  }

  /** Stops claiming; running handlers finish until `signal` aborts, then they are aborted and released. */
  async stop(signal: AbortSignal): Promise<void> {
    const runner = this.#runner;
    this.#runner = undefined;
    this.#wakeup.cancelTimer();
    await runner?.stop(signal);
  }

  /** Claimed jobs waiting in this process's channel for an executor (0 when stopped). */
  get buffered(): number {
    return this.#runner?.buffered ?? 0;
  }

  health(): ServiceHealth {
    const error = this.#runner?.lastError;
    if (error === undefined) return { ready: true };
    return { ready: false, reason: `job store unreachable: ${describe(error)}` };
  }

  /** Validates and stores one job; returns its id (the existing id when `key` matched a job). */
  async enqueue<P>(
    def: JobDefinition<P>,
    payload: NoInfer<P>,
    options: EnqueueJobOptions & EnqueueInTx<Tx> = {},
  ): Promise<string> {
    const [id] = await this.enqueueMany(def, [{ ...options, payload }], options);
    return id!;
  }

  /** Validates every item first (one bad item writes nothing), then stores them in one call. */
  async enqueueMany<P>(
    def: JobDefinition<P>,
    items: readonly EnqueueItem<NoInfer<P>>[],
    options: EnqueueInTx<Tx> = {},
  ): Promise<string[]> {
    const tracing = this.#tracing ?? (this.#tracingLoad && (await this.#tracingLoad));
    const validated = this.#rows(def, items);
    const edges = afterEdges(def.name, items, validated);
    // Read after the rows' own clock reading, so a job due now is due at `now` too.
    const now = this.#clock.now();
    // Inside the caller's transaction nothing is taken: the job exists only once that commits. Jobs
    // with `after` edges are parked, and the graph insert takes none.
    const runner = options.tx === undefined && edges.length === 0 ? this.#runner : undefined;
    const rows = runner ? runner.takeOnEnqueue(validated, now) : validated;
    const at = { now, ...(options.tx === undefined ? {} : { tx: options.tx }) };
    const store = () => (edges.length > 0 ? this.store.enqueueGraph(rows, edges, at) : this.store.enqueue(rows, at));
    let results: EnqueuedJob[];
    try {
      results = await (tracing ? tracing.enqueue(rows, store) : store());
    } catch (error) {
      void runner?.enqueued(rows, null, now);
      throw error;
    }
    void runner?.enqueued(rows, results, now);
    this.#stored(rows, results);
    if (edges.length > 0) this.#runner?.dependenciesChanged();
    return results.map((r) => r.id);
  }

  /**
   * Stores a parent and its children (nested as deep as needed) in one transaction — the caller's `tx`
   * when given. The children run as usual; the parent waits, parked, and runs once every child has
   * ended, reading them (with their results) through `ctx.children()`. A dead child makes the parent
   * dead, its error naming the child, unless the parent says `onChildFailure: "continue"`.
   */
  async enqueueFlow<P>(spec: FlowSpec<P>, options: EnqueueInTx<Tx> = {}): Promise<EnqueuedFlow> {
    const tracing = this.#tracing ?? (this.#tracingLoad && (await this.#tracingLoad));
    const { rows, edges, parents, tree } = this.#flow(spec);
    const at = { now: this.#clock.now(), flow: parents, ...(options.tx === undefined ? {} : { tx: options.tx }) };
    const store = () => this.store.enqueueGraph(rows, edges, at);
    const results = await (tracing ? tracing.enqueue(rows, store) : store());
    if (this.#storedFlow(rows, results)) this.#runner?.dependenciesChanged();
    return tree(results);
  }

  /** enqueueFlow inside a synchronous transaction (SQLite), as enqueueSync. */
  enqueueFlowSync<P>(spec: FlowSpec<P>, options: EnqueueInTx<Tx> = {}): EnqueuedFlow {
    const store = this.store as Partial<SyncJobStore<Tx>>;
    if (typeof store.enqueueGraphSync !== "function") throw new SyncEnqueueUnsupportedError();
    const { rows, edges, parents, tree } = this.#flow(spec);
    const at = { now: this.#clock.now(), flow: parents, ...(options.tx === undefined ? {} : { tx: options.tx }) };
    const enqueue = () => store.enqueueGraphSync!(rows, edges, at);
    const results = this.#tracing ? this.#tracing.enqueue(rows, enqueue) : enqueue();
    if (this.#storedFlow(rows, results)) queueMicrotask(() => this.#runner?.dependenciesChanged());
    return tree(results);
  }

  /**
   * Sends an event to the workflows waiting for it (step.waitForEvent), in any process sharing the
   * store: they are due at once. The event is kept until prune() (the succeeded retention), so a
   * workflow enqueued before it was sent that reaches its wait later still receives it. Returns how
   * many waiting workflows it woke.
   */
  async sendEvent(event: string, data: unknown = null): Promise<number> {
    if (typeof event !== "string" || event === "")
      throw new InvalidEnqueueOptionsError("sendEvent: the event name must be a non-empty string.");
    checkEventData(event, data);
    const woken = await this.store.sendEvent(event, data, { now: this.#clock.now() });
    if (woken > 0) this.#wakeup.wake();
    return woken;
  }

  /** A workflow's stored steps, in the order it reached them (the dashboard shows them). */
  steps(id: string): Promise<StoredStep[]> {
    return this.store.steps(id);
  }

  /** A flow parent's children, in id order, with their states and results. */
  children(id: string): Promise<JobRecord[]> {
    return this.store.dependencies(id, "child");
  }

  /** #stored for the jobs of a flow that were written; whether any was (a retried keyed flow writes none). */
  #storedFlow(rows: readonly NewJob[], results: readonly EnqueuedGraphJob[]): boolean {
    const written = results.flatMap((result, i) => (result.skipped ? [] : [i]));
    this.#stored(
      written.map((i) => rows[i]!),
      written.map((i) => results[i]!),
    );
    return results.some((result) => result.created);
  }

  #flow<P>(spec: FlowSpec<P>): {
    rows: NewJob[];
    edges: NewDependency[];
    parents: number[];
    tree: (results: readonly EnqueuedGraphJob[]) => EnqueuedFlow;
  } {
    const { nodes, edges, parents, tree } = flowRows(spec as unknown as FlowChild);
    const now = this.#clock.now();
    const rows = nodes.map(({ def, payload, options, parked: waits }) => {
      if (this.#definitions.get(def.name) !== def) throw new UnknownJobError(def.name, [...this.#definitions.keys()]);
      const row = toNewJob(def as JobDefinition<unknown>, payload, options, now);
      return waits ? parked(row) : row;
    });
    return { rows, edges, parents, tree };
  }

  /**
   * Synchronous enqueue for stores that support it (SQLite): the only correct way inside drizzle's
   * synchronous bun-sqlite transaction, where an await would escape the transaction.
   */
  enqueueSync<P>(
    def: JobDefinition<P>,
    payload: NoInfer<P>,
    options: EnqueueJobOptions & EnqueueInTx<Tx> = {},
  ): string {
    return this.enqueueManySync(def, [{ ...options, payload }], options)[0]!;
  }

  enqueueManySync<P>(
    def: JobDefinition<P>,
    items: readonly EnqueueItem<NoInfer<P>>[],
    options: EnqueueInTx<Tx> = {},
  ): string[] {
    const store = this.store as Partial<SyncJobStore<Tx>>;
    if (typeof store.enqueueSync !== "function") throw new SyncEnqueueUnsupportedError();
    const rows = this.#rows(def, items);
    const edges = afterEdges(def.name, items, rows);
    const at = { now: this.#clock.now(), ...(options.tx === undefined ? {} : { tx: options.tx }) };
    const enqueue = () => (edges.length > 0 ? store.enqueueGraphSync!(rows, edges, at) : store.enqueueSync!(rows, at));
    const results = this.#tracing ? this.#tracing.enqueue(rows, enqueue) : enqueue();
    this.#stored(rows, results);
    if (edges.length > 0) queueMicrotask(() => this.#runner?.dependenciesChanged());
    return results.map((r) => r.id);
  }

  /**
   * Cancels a job that has not finished: a pending one (scheduled, ready, failed awaiting its retry)
   * never runs; a running one's ctx.signal aborts with JobCancelledError on whichever instance runs
   * it, within about a second, and its outcome is not recorded. The job ends `cancelled` (kept like a
   * dead job; retry() runs it again). false when the job is unknown or already finished.
   */
  async cancel(id: string): Promise<boolean> {
    const cancelled = await this.store.cancel(id, { now: this.#clock.now() });
    if (!cancelled) return false;
    if (cancelled.wasRunning) this.#runner?.cancel(id);
    const { name, queue } = cancelled;
    this.events.emit("cancelled", { id, name, queue }, () => ({ reason: null }));
    return true;
  }

  /**
   * Resolves with the job once it is succeeded, dead or cancelled, wherever it ran: this process's
   * events answer at once; other instances' outcomes are read from the store every poll interval.
   * Rejects with UnknownJobIdError for an id that names no job, WaitForTimeoutError after timeoutMs.
   * `R` types the result: `jobs.waitFor<ResultOf<typeof def>>(id)` (not checked: the id says no def).
   */
  async waitFor<R = unknown>(id: string, options: WaitForOptions = {}): Promise<JobRecord<R>> {
    checkWaitForTimeout(id, options.timeoutMs);
    // Listening and marking come before the first read: an end committed after the read is announced.
    const ends = this.store.watchEnd ? await this.#ends.listen(id) : undefined;
    try {
      return (await this.#waitFor(id, options, ends)) as JobRecord<R>;
    } finally {
      ends?.release();
    }
  }

  async #waitFor(id: string, options: WaitForOptions, ends: EndListener | undefined): Promise<JobRecord> {
    if (ends) await this.store.watchEnd!(id);
    const record = await this.store.get(id);
    if (!record) throw new UnknownJobIdError(id);
    if (finalJobStates.has(record.state)) return record;
    return waitForJob({
      id,
      read: () => this.store.get(id),
      events: this.events,
      pollIntervalMs: this.#options.pollIntervalMs ?? 1_000,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      timeoutError: () => new WaitForTimeoutError(id, options.timeoutMs!),
      gone: () => new UnknownJobIdError(id),
      ...(ends ? { ends: ends.subscribe } : {}),
    });
  }

  /** A failed, dead or cancelled job runs again now, with a fresh attempt budget. false otherwise. */
  retry(id: string): Promise<boolean> {
    return this.store.retry(id, { now: this.#clock.now() }).then((retried) => {
      if (retried) this.#wakeup.wake();
      return retried;
    });
  }

  /**
   * Stops every instance sharing the store from starting jobs of this name or queue, until resumed;
   * kept in the store, so it outlasts restarts. Enqueue still works; running jobs finish; jobs this
   * process claimed before the pause are given back unstarted. false if it was already paused.
   */
  async pause(target: PauseTarget): Promise<boolean> {
    const checked = pauseTarget(target);
    const paused = await this.store.pause(checked, { now: this.#clock.now() });
    this.#runner?.gate.add(checked);
    this.#runner?.controlChanged();
    return paused;
  }

  /** Ends a pause: its jobs start again on every instance. false if it was not paused. */
  async resume(target: PauseTarget): Promise<boolean> {
    const resumed = await this.store.resume(pauseTarget(target));
    this.#runner?.controlChanged();
    return resumed;
  }

  /** The pauses in force (every instance's), names first, then queues. */
  paused(): Promise<Pause[]> {
    return this.store.paused();
  }

  /** Deletes a job that is not running. */
  discard(id: string): Promise<boolean> {
    return this.store.discard(id);
  }

  /** A scheduled job, or a failed one waiting for its retry, runs now. false if it is in another state. */
  runNow(id: string): Promise<boolean> {
    return this.store.runNow(id, { now: this.#clock.now() }).then((due) => {
      if (due) this.#wakeup.wake();
      return due;
    });
  }

  get(id: string): Promise<JobRecord | null> {
    return this.store.get(id);
  }

  /** Newest first; pass `nextCursor` back as `cursor` for the next page (default limit 50). */
  list(options: Partial<ListOptions> = {}): Promise<JobPage> {
    // No job can hold a NUL (names, queues and keys refuse it), and PostgreSQL text cannot even compare one.
    if ([options.name, options.queue, options.key].some(hasNul)) return Promise.resolve({ jobs: [], nextCursor: null });
    return this.store.list({ ...options, limit: options.limit ?? 50 });
  }

  async counts(): Promise<JobCounts> {
    return toCounts(await this.store.counts());
  }

  /**
   * Counts by queue, name and state, the due backlog, and what succeeded, failed and died in each
   * bucket of the last `windowMs` (default: minutes of the last hour), every bucket listed, oldest
   * first, the last one the current (partial) bucket. Read from the store, so it covers every
   * instance; it may scan the jobs table: cache it rather than calling it per request.
   */
  async stats(options: { windowMs?: number; bucketMs?: number } = {}): Promise<JobStatsView> {
    const bucketMs = options.bucketMs ?? 60_000;
    const windowMs = options.windowMs ?? 3_600_000;
    if (!(bucketMs >= 1 && windowMs >= bucketMs))
      throw new RangeError(`jobs.stats: need 1 <= bucketMs <= windowMs, got ${bucketMs} and ${windowMs}.`);
    const now = this.#clock.now();
    const buckets = Math.ceil(windowMs / bucketMs);
    const since = (Math.floor(now / bucketMs) - buckets + 1) * bucketMs;
    const stats = await this.store.stats({ now, since, bucketMs });
    const byAt = new Map(stats.activity.map((bucket) => [bucket.at, bucket]));
    const activity = Array.from(
      { length: buckets },
      (_, i) => byAt.get(since + i * bucketMs) ?? { at: since + i * bucketMs, succeeded: 0, failed: 0, dead: 0 },
    );
    return { ...stats, now, bucketMs, activity };
  }

  /**
   * Deletes jobs that ended longer than `olderThanMs` ago (default: the succeeded retention, 7 days) in
   * one of `states` (default: succeeded only; dead and cancelled jobs are kept until you say so).
   * Schedule it daily, e.g. with cron.
   */
  async prune(options: { olderThanMs?: number; states?: readonly FinalJobState[] } = {}): Promise<number> {
    const olderThanMs = options.olderThanMs ?? this.#options.retention?.succeededMs ?? 7 * dayMs;
    if (typeof olderThanMs !== "number" || !Number.isFinite(olderThanMs) || olderThanMs < 0)
      throw new RangeError(`jobs.prune: olderThanMs must be a finite number >= 0, got ${describeValue(olderThanMs)}.`);
    const states = options.states ?? ["succeeded"];
    if (!Array.isArray(states) || states.length === 0 || !states.every((state) => finalJobStates.has(state)))
      throw new RangeError(
        `jobs.prune: states must be a non-empty array of "succeeded", "dead" and "cancelled", got ${describeValue(states)}.`,
      );
    return this.store.prune({ finishedBefore: this.#clock.now() - olderThanMs, states });
  }

  #rows<P>(def: JobDefinition<P>, items: readonly EnqueueItem<P>[]): NewJob[] {
    const known = this.#definitions.get(def.name);
    if (known !== (def as unknown)) throw new UnknownJobError(def.name, [...this.#definitions.keys()]);
    const now = this.#clock.now();
    return items.map((item) => toNewJob(def, item.payload, item, now));
  }

  #stored(rows: readonly NewJob[], results: readonly EnqueuedJob[]): void {
    // A job taken on enqueue is already this process's; a taken row whose key matched may name a due job.
    this.#wakeAfter(rows.filter((row, i) => !row.claimBy || !results[i]!.created));
    if (!this.events.listens("enqueued")) return;
    for (const [i, row] of rows.entries()) {
      const { id, created } = results[i]!;
      this.events.emit("enqueued", { id, name: row.name, queue: row.queue }, () => ({
        runAt: row.runAt,
        key: row.key,
        created,
      }));
    }
  }

  /**
   * A due job wakes the dispatcher (enqueue -> start in well under a millisecond when idle). Inside a
   * synchronous transaction the wake-up runs as a microtask, after the transaction has committed.
   */
  #wakeAfter(rows: readonly NewJob[]): void {
    if (!this.#runner) return;
    const now = this.#clock.now();
    let next = Infinity;
    for (const row of rows) next = Math.min(next, row.runAt);
    if (next <= now) queueMicrotask(() => this.#wakeup.wake());
    else if (next < Infinity) this.#wakeup.wakeAt(next, this.#clock);
  }
}

/** The `after` edges of a batch; each row that waits is parked (rows are changed in place). */
function afterEdges<P>(job: string, items: readonly EnqueueItem<P>[], rows: NewJob[]): NewDependency[] {
  const edges: NewDependency[] = [];
  items.forEach((item, waiter) => {
    const ids = afterIds(job, item.after);
    if (ids.length === 0) return;
    const row = rows[waiter]!;
    // A parked job has no start to move and its key no window: the store's graph insert keeps neither.
    if (row.debounce || (row.keyTtlMs ?? null) !== null)
      throw new InvalidEnqueueOptionsError(`Job "${job}": after cannot be combined with debounce or a key window.`);
    rows[waiter] = parked(row);
    for (const id of ids) edges.push({ waiter, dependency: { id }, kind: "after", onFailure: "cancel" });
  });
  return edges;
}

function toCounts(rows: readonly JobCount[]): JobCounts {
  const zero = () => Object.fromEntries(jobStates.map((s) => [s, 0])) as Record<JobState, number>;
  const counts: JobCounts = { byState: zero(), byName: {} };
  for (const { name, state, count } of rows) {
    counts.byState[state] += count;
    const byName = counts.byName[name] ?? zero();
    byName[state] += count;
    counts.byName[name] = byName;
  }
  return counts;
}

/** Exactly one of name and queue, a non-empty string without NUL: a typo must not pause everything or nothing. */
function pauseTarget(target: unknown): PauseTarget {
  if (typeof target === "object" && target !== null) {
    const { name, queue } = target as { name?: unknown; queue?: unknown };
    if (isStorableText(name) && queue === undefined) return { name };
    if (isStorableText(queue) && name === undefined) return { queue };
  }
  throw new InvalidPauseTargetError(target);
}

function positive(option: string, value: number | undefined): void {
  if (
    value === undefined ||
    (Number.isFinite(value) && value > 0 && (option.endsWith("Ms") || Number.isInteger(value)))
  )
    return;
  throw new InvalidJobDefinitionError(
    `createJobs: ${option} must be a positive ${option.endsWith("Ms") ? "number" : "integer"}, got ${describeValue(value)}.`,
  );
}

/** Checked first: without them the constructor would fail on a bare TypeError that names neither. */
function requireStoreAndJobs({ store, jobs }: Partial<JobsOptions<unknown>>): void {
  if (typeof store?.claim !== "function")
    throw new InvalidJobDefinitionError(
      'createJobs: `store` is required: memoryStore() from "errand", sqliteStore({ path }) from "errand/sqlite" or postgresStore({ pool }) from "errand/postgres".',
    );
  if (!Array.isArray(jobs))
    throw new InvalidJobDefinitionError(
      "createJobs: `jobs` must be an array of definitions (defineJob, defineWorkflow).",
    );
}

/** Creates the Jobs service: register it with a Host (or the Elysia jobs plugin) to run the jobs. */
export function createJobs<Tx = never>(options: JobsOptions<Tx>): Jobs<Tx> {
  requireStoreAndJobs(options);
  return new Jobs(options);
}
