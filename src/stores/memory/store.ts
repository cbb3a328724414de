// The JobStore in the process's memory, on Web-standard JavaScript only: for tests, and for runtimes
// without SQLite (Node, Deno, Workers).
//
// It loses every job when the process ends (restart, crash, deploy, an isolate recycled by the
// runtime): the jobs live in this object and nothing is written anywhere, because the runtimes it is
// for offer no storage through Web-standard APIs, and a store that wrote a file would need `node:fs`.
// So "durable" does not hold here: a job enqueued and not yet finished is gone after a restart, and
// so is the at-least-once guarantee for running jobs. Use sqliteStore or postgresStore for work that
// must survive the process. Everything else matches the SQL stores (one contract suite runs all three):
// keys and their windows, priorities, leases and recovery, per-name, per-key and rate limits, pauses,
// attempt history, results, progress, cancel, paging, counts, prune.
import type {
  CancelledJob,
  ClaimedJob,
  ClaimOptions,
  CompleteOptions,
  EnqueuedJob,
  EnqueueOptions,
  JobCount,
  JobFailure,
  JobPage,
  JobRecord,
  JobState,
  JobStats,
  ListOptions,
  NewJob,
  Pause,
  PauseTarget,
  PruneOptions,
  RecoverOptions,
  RenewOptions,
  StatsOptions,
  Subscription,
  SyncJobStore,
  WorkerOptions,
} from "../../jobs/store.ts";
import {
  type EnqueuedGraphJob,
  type FindEventsOptions,
  type GraphOptions,
  type NewDependency,
  parkedRunAt,
  type StoredEvent,
  type StoredStep,
  type Suspension,
  skippedJob,
  storedFlow,
  underMatchedKey,
} from "../../jobs/workflow-store.ts";
import { keyedOrRateLimited, planLimitedClaim } from "../claim-limits.ts";
import {
  defaultRecoverLimit,
  dependencyFailure,
  groupOf,
  guardClosed,
  jobIdNumber,
  keyedOutcome,
  leaseExpiredMessage,
} from "../common.ts";
import { Pauses, Starts } from "./control.ts";
import { StateCounts } from "./counts.ts";
import { IdOrder } from "./id-order.ts";
import { PendingIndex } from "./pending.ts";
import { type MemoryJob, pendingStates, toClaimedJob, toJobRecord } from "./records.ts";
import { memoryStats } from "./stats.ts";
import { MemoryWorkflowRows } from "./workflows.ts";

/**
 * Every call runs to its end synchronously, so each is atomic as a transaction would be; the async
 * methods only wrap the result. It has no transactions to join (`Tx` is `never`).
 */
export class MemoryJobStore implements SyncJobStore<never> {
  #closed = false;
  readonly #jobs = new Map<number, MemoryJob>();
  readonly #byKey = new Map<string, MemoryJob>();
  readonly #pending = new PendingIndex();
  readonly #running = new Set<MemoryJob>();
  readonly #counts = new StateCounts();
  readonly #order = new IdOrder();
  readonly #subscribers = new Set<(control: boolean) => void>();
  readonly #rows = new MemoryWorkflowRows();
  readonly #cancelSubscribers = new Set<(id: string) => void>();
  readonly #pauses = new Pauses();
  readonly #starts = new Starts();
  /** Ids are never reused, also after discard and prune (handlers may key side effects by job id). */
  #lastId = 0;

  constructor() {
    guardClosed(this, () => this.#closed);
  }

  async init(): Promise<void> {}

  enqueueSync(jobs: readonly NewJob[], { now }: EnqueueOptions<never>): EnqueuedJob[] {
    // Serialized first: a payload that is not JSON fails the call before any job of it is stored.
    const payloads = jobs.map((job) => JSON.stringify(job.payload) ?? "null");
    const results = jobs.map((job, i) => this.#insert(job, payloads[i]!, now));
    if (results.some((r, i) => r.created && jobs[i]!.runAt <= now)) this.#wake();
    return results;
  }

  async enqueue(jobs: readonly NewJob[], options: EnqueueOptions<never>): Promise<EnqueuedJob[]> {
    return this.enqueueSync(jobs, options);
  }

  async claim(o: ClaimOptions): Promise<ClaimedJob[]> {
    if (o.limit <= 0 || o.names.length === 0) return [];
    const room = (name: string) => {
      const max = o.limits?.[name];
      return max === undefined ? Infinity : max - this.#counts.of(name, "running");
    };
    const names = this.#pauses.any ? o.names.filter((name) => this.#pauses.nameAllowed(name)) : o.names;
    const keyed = keyedOrRateLimited(names, o);
    const taken = keyed.length === 0 ? [] : this.#takeLimited(keyed, o, room);
    const free = keyed.length === 0 ? names : names.filter((name) => !keyed.includes(name));
    const skipQueues = this.#pauses.any ? this.#pauses.queues : undefined;
    const limit = o.limit - taken.length;
    if (limit > 0)
      taken.push(...this.#pending.take({ names: free, queues: o.queues, skipQueues, now: o.now, limit, room }));
    for (const job of taken) {
      this.#setState(job, "running");
      job.attempts++;
      job.lockedBy = o.workerId;
      job.leaseExpiresAt = o.now + o.leaseMs;
    }
    return taken.map(toClaimedJob);
  }

  /**
   * Names under a per-key or rate limit, one at a time: a scan of the name's due jobs (the memory store
   * serves tests and small deployments), decided by the planner the SQL stores share.
   */
  #takeLimited(names: readonly string[], o: ClaimOptions, room: (name: string) => number): MemoryJob[] {
    const wanted = o.queues && new Set(o.queues);
    const taken: MemoryJob[] = [];
    let rated = 0;
    for (const name of names) {
      const rate = o.rateLimits?.[name];
      const rateRoom = rate ? (o.rateLimitedRoom ?? Infinity) - rated : Infinity;
      if (rateRoom <= 0) continue;
      const due = [...this.#jobs.values()]
        .filter(
          (job) =>
            job.name === name &&
            pendingStates.has(job.state) &&
            job.runAt <= o.now &&
            (!wanted || wanted.has(job.queue)) &&
            this.#pauses.queueAllowed(job.queue),
        )
        .sort((a, b) => b.priority - a.priority || a.runAt - b.runAt || a.id - b.id);
      const groupLimit = o.groupLimits?.[name];
      const running = [...this.#running].filter((job) => job.name === name);
      const plan = planLimitedClaim(
        due.map((job) => ({ id: String(job.id), groupKey: job.groupKey, rateKey: job.rateKey })),
        {
          room: Math.min(o.limit - taken.length, room(name), rateRoom),
          now: o.now,
          ...(groupLimit === undefined
            ? {}
            : { groupLimit, runningByGroup: countBy(running, (j) => groupOf(j.groupKey)) }),
          ...(rate === undefined ? {} : { rate, startsByRateKey: this.#starts.window(name, rate, o.now) }),
        },
      );
      if (plan.freeAt !== undefined) o.onRateLimited?.(plan.freeAt);
      for (const { id } of plan.take) {
        const job = this.#jobs.get(Number(id))!;
        this.#pending.remove(job);
        if (rate) this.#starts.record(name, job.rateKey, o.now);
        if (rate) rated++;
        taken.push(job);
      }
    }
    return taken;
  }

  async pause(target: PauseTarget, { now }: { now: number }): Promise<boolean> {
    const paused = this.#pauses.add(target, now);
    if (paused) this.#wake(true);
    return paused;
  }

  async resume(target: PauseTarget): Promise<boolean> {
    const resumed = this.#pauses.remove(target);
    if (resumed) this.#wake(true);
    return resumed;
  }

  async paused(): Promise<Pause[]> {
    return this.#pauses.list();
  }

  async complete(ids: readonly string[], { workerId, now, results }: CompleteOptions): Promise<number> {
    let changed = 0;
    for (const id of ids) {
      const job = this.#held(id, workerId);
      if (!job) continue;
      job.result = results?.get(id) ?? null;
      this.#finish(job, "succeeded", now);
      changed++;
    }
    return changed;
  }

  /** retryAt null: dead, finished now; otherwise failed, due again at retryAt. */
  async fail(failures: readonly JobFailure[], { workerId, now }: WorkerOptions): Promise<number> {
    let changed = 0;
    for (const { id, error, retryAt } of failures) {
      const job = this.#held(id, workerId);
      if (!job) continue;
      job.errors.push(JSON.stringify(error));
      if (retryAt === null) this.#finish(job, "dead", now);
      else this.#reschedule(job, "failed", retryAt);
      changed++;
    }
    return changed;
  }

  async renew(ids: readonly string[], { workerId, now, leaseMs }: RenewOptions): Promise<string[]> {
    return ids.filter((id) => {
      const job = this.#held(id, workerId);
      if (job) job.leaseExpiresAt = now + leaseMs;
      return job !== undefined;
    });
  }

  /** The attempt was interrupted by our own shutdown, not failed: ready again, uncounted, runAt kept. */
  async release(ids: readonly string[], { workerId }: WorkerOptions): Promise<number> {
    let changed = 0;
    for (const id of ids) {
      const job = this.#held(id, workerId);
      if (!job) continue;
      job.attempts = Math.max(job.attempts - 1, 0);
      this.#reschedule(job, "ready", job.runAt);
      changed++;
    }
    if (changed > 0) this.#wake();
    return changed;
  }

  /** Running jobs are few (bounded by the workers' executors and channels): a scan of them is cheap. */
  async recoverExpired({ now, limit = defaultRecoverLimit }: RecoverOptions): Promise<number> {
    const expired = [...this.#running]
      .filter((job) => job.leaseExpiresAt! < now)
      .sort((a, b) => a.leaseExpiresAt! - b.leaseExpiresAt!)
      .slice(0, limit);
    for (const job of expired) {
      const error = { attempt: job.attempts, at: now, name: "LeaseExpiredError", message: leaseExpiredMessage };
      job.errors.push(JSON.stringify({ ...error, workerId: job.lockedBy }));
      if (job.attempts >= job.maxAttempts) this.#finish(job, "dead", now);
      else this.#reschedule(job, "ready", job.runAt);
    }
    if (expired.some((job) => job.state === "ready")) this.#wake();
    return expired.length;
  }

  async retry(id: string, { now }: { now: number }): Promise<boolean> {
    const job = this.#job(id);
    if (!job || (job.state !== "failed" && job.state !== "dead" && job.state !== "cancelled")) return false;
    job.attempts = 0;
    job.finishedAt = null;
    this.#reschedule(job, "ready", now);
    this.#wake();
    return true;
  }

  async cancel(id: string, { now }: { now: number }): Promise<CancelledJob | null> {
    const job = this.#job(id);
    if (!job || finalStates.has(job.state)) return null;
    const wasRunning = job.state === "running";
    this.#pending.remove(job);
    this.#setState(job, "cancelled");
    job.finishedAt = now;
    job.leaseExpiresAt = null;
    if (wasRunning) for (const subscriber of this.#cancelSubscribers) subscriber(String(job.id));
    return { id: String(job.id), name: job.name, queue: job.queue, wasRunning };
  }

  async cancelled(ids: readonly string[]): Promise<string[]> {
    return ids.filter((id) => this.#job(id)?.state === "cancelled");
  }

  async progress(id: string, progress: string, { workerId }: WorkerOptions): Promise<boolean> {
    const job = this.#held(id, workerId);
    if (job) job.progress = progress;
    return job !== undefined;
  }

  /** Cancels reach the other Jobs services sharing this store (in this process) at once. */
  async subscribeCancels(onCancel: (id: string) => void): Promise<Subscription> {
    const subscriber = (id: string) => onCancel(id);
    this.#cancelSubscribers.add(subscriber);
    return { close: async () => void this.#cancelSubscribers.delete(subscriber) };
  }

  async discard(id: string): Promise<boolean> {
    const job = this.#job(id);
    if (!job || job.state === "running") return false;
    this.#delete(job);
    return true;
  }

  async get(id: string): Promise<JobRecord | null> {
    const job = this.#job(id);
    return job ? toJobRecord(job) : null;
  }

  async runNow(id: string, { now }: { now: number }): Promise<boolean> {
    const job = this.#job(id);
    if (!job || (job.state !== "scheduled" && job.state !== "failed") || job.runAt === parkedRunAt) return false;
    this.#reschedule(job, "ready", now);
    this.#wake();
    return true;
  }

  async list(o: ListOptions): Promise<JobPage> {
    const match = (job: MemoryJob) =>
      (!o.state || job.state === o.state) && (!o.name || job.name === o.name) && (!o.queue || job.queue === o.queue);
    if (o.key === undefined) return this.#order.page(o, match);
    // A key names at most one job: no page to walk.
    const job = this.#byKey.get(o.key);
    return { jobs: job && match(job) ? [toJobRecord(job)] : [], nextCursor: null };
  }

  async counts(): Promise<JobCount[]> {
    return this.#counts.rows();
  }

  /** A scan of every job: the memory store serves tests and small deployments. */
  async stats(o: StatsOptions): Promise<JobStats> {
    return memoryStats(this.#jobs.values(), o);
  }

  async prune({ finishedBefore, states = ["succeeded"] }: PruneOptions): Promise<number> {
    const prunable = new Set<JobState>(states);
    let deleted = 0;
    for (const job of this.#jobs.values()) {
      if (!prunable.has(job.state) || job.finishedAt === null || job.finishedAt >= finishedBefore) continue;
      this.#delete(job);
      deleted++;
    }
    this.#rows.pruneEvents(finishedBefore);
    return deleted;
  }

  async enqueueGraph(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    options: GraphOptions<never>,
  ): Promise<EnqueuedGraphJob[]> {
    return this.enqueueGraphSync(jobs, dependencies, options);
  }

  enqueueGraphSync(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    options: GraphOptions<never>,
  ): EnqueuedGraphJob[] {
    const results = options.flow ? this.#enqueueFlow(jobs, options.flow, options.now) : this.enqueueSync(jobs, options);
    for (const d of dependencies) {
      const waiter = results[d.waiter]!;
      if (!waiter.created) continue;
      const dependency = typeof d.dependency === "number" ? results[d.dependency]!.id : d.dependency.id;
      // An id no job can have names no job: it counts as ended, like a pruned one (id 0 is never used).
      const dependencyId = jobIdNumber(dependency) ?? 0;
      this.#rows.addDependency({
        waiter: Number(waiter.id),
        dependency: dependencyId,
        kind: d.kind,
        onFailure: d.onFailure,
        settled: false,
      });
    }
    return results;
  }

  /** One job at a time, depth first: a job whose key matched stands for its subtree, which is skipped. */
  #enqueueFlow(jobs: readonly NewJob[], parents: readonly number[], now: number): EnqueuedGraphJob[] {
    const payloads = jobs.map((job) => JSON.stringify(job.payload) ?? "null");
    const results: EnqueuedGraphJob[] = [];
    for (const [i, job] of jobs.entries()) {
      if (underMatchedKey(parents, i, results)) results.push(skippedJob);
      else results.push(this.#insert(job, payloads[i]!, now));
    }
    if (results.some((r, i) => r.created && jobs[i]!.runAt <= now)) this.#wake();
    const matched = results.filter((result) => !result.created && !result.skipped);
    const childrenOf = matched.length > 0 ? this.#childrenOf() : new Map();
    return results.map((result) =>
      matched.includes(result) ? { ...result, existing: storedFlow(result.id, childrenOf) } : result,
    );
  }

  /** Every waiter's stored children, in id order. */
  #childrenOf(): Map<string, string[]> {
    const children = new Map<string, string[]>();
    for (const [waiter, edges] of this.#rows.dependencies) {
      const ids = edges
        .filter((e) => e.kind === "child" && this.#jobs.has(e.dependency))
        .map((e) => e.dependency)
        .sort((a, b) => a - b);
      if (ids.length > 0) children.set(String(waiter), ids.map(String));
    }
    return children;
  }

  async settleDependencies({ now }: { now: number }): Promise<{ settled: number; waiting: number }> {
    let settled = 0;
    let waiting = 0;
    for (const [waiterId, edges] of this.#rows.dependencies) {
      const open = edges.filter((e) => !e.settled);
      if (open.length === 0) continue;
      const states = open.map((e) => this.#jobs.get(e.dependency));
      if (states.some((dep) => dep !== undefined && !finalStates.has(dep.state))) {
        waiting++;
        continue;
      }
      for (const e of open) e.settled = true;
      const waiter = this.#jobs.get(waiterId);
      if (waiter?.state !== "scheduled" || waiter.runAt !== parkedRunAt) continue;
      const failedAt = open.findIndex((_, i) => states[i]?.state === "dead" || states[i]?.state === "cancelled");
      const failed = states[failedAt];
      const failure = failed ? dependencyFailure(open[failedAt]!, { ...failed, id: String(failed.id) }, now) : null;
      if (failure) {
        waiter.errors.push(JSON.stringify({ ...failure.error, attempt: waiter.attempts }));
        this.#setState(waiter, failure.state);
        waiter.finishedAt = now;
        this.#pending.remove(waiter);
      } else this.#reschedule(waiter, "ready", now);
      settled++;
    }
    if (settled > 0) this.#wake();
    return { settled, waiting };
  }

  async dependencies(id: string, kind: "child" | "after"): Promise<JobRecord[]> {
    const key = jobIdNumber(id);
    const edges = key === null ? [] : (this.#rows.dependencies.get(key) ?? []);
    return edges
      .filter((e) => e.kind === kind)
      .map((e) => this.#jobs.get(e.dependency))
      .filter((job): job is MemoryJob => job !== undefined)
      .sort((a, b) => a.id - b.id)
      .map(toJobRecord);
  }

  async steps(id: string): Promise<StoredStep[]> {
    const key = jobIdNumber(id);
    return key === null ? [] : this.#rows.stepsOf(key);
  }

  async saveStep(id: string, step: StoredStep, o: WorkerOptions & { clearWait?: boolean }): Promise<boolean> {
    const job = this.#held(id, o.workerId);
    if (!job) return false;
    this.#rows.saveStep(job.id, step);
    if (o.clearWait) this.#rows.clearWait(job.id);
    return true;
  }

  async suspend(suspensions: readonly Suspension[], { workerId, now }: WorkerOptions): Promise<number> {
    let changed = 0;
    for (const s of suspensions) {
      const job = this.#held(s.id, workerId);
      if (!job) continue;
      if (s.step) this.#rows.saveStep(job.id, s.step);
      let runAt = s.runAt;
      if (s.wait) {
        this.#rows.wait(job.id, s.wait.event);
        const sent = this.#rows.findEvents(s.wait.event, {
          since: s.wait.since,
          afterId: s.wait.afterId ?? null,
          limit: 1,
        });
        if (sent.length > 0) runAt = now;
      }
      job.attempts = Math.max(job.attempts - 1, 0);
      this.#reschedule(job, "scheduled", runAt);
      changed++;
    }
    return changed;
  }

  async sendEvent(event: string, data: unknown, { now }: { now: number }): Promise<number> {
    this.#rows.addEvent(event, data, now);
    let woken = 0;
    for (const id of this.#rows.waitersOf.get(event) ?? []) {
      const job = this.#jobs.get(id);
      if (job?.state !== "scheduled") continue;
      this.#reschedule(job, "ready", now);
      woken++;
    }
    if (woken > 0) this.#wake();
    return woken;
  }

  async findEvents(event: string, options: FindEventsOptions): Promise<StoredEvent[]> {
    return this.#rows.findEvents(event, options);
  }

  /** Wakes other Jobs services sharing this store (in this process) when jobs become due. */
  async subscribe(onWake: () => void, onControl?: () => void): Promise<Subscription> {
    const subscriber = (control: boolean) => {
      if (control) onControl?.();
      onWake();
    };
    this.#subscribers.add(subscriber);
    return { close: async () => void this.#subscribers.delete(subscriber) };
  }

  /** Ends the wake-up subscriptions; every later call fails with StoreClosedError. Twice is fine. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    this.#cancelSubscribers.clear();
  }

  #insert(job: NewJob, payload: string, now: number): EnqueuedJob {
    const existing = job.key === null ? undefined : this.#byKey.get(job.key);
    if (existing) {
      const outcome = keyedOutcome(existing, job, now);
      if (outcome === "existing") return { id: String(existing.id), created: false };
      if (outcome === "debounce") {
        this.#debounce(existing, job, payload, now);
        return { id: String(existing.id), created: false };
      }
      this.#byKey.delete(existing.key!);
      existing.key = null;
    }
    const record: MemoryJob = {
      id: ++this.#lastId,
      name: job.name,
      queue: job.queue,
      payload,
      state: job.runAt > now ? "scheduled" : "ready",
      priority: job.priority,
      runAt: job.runAt,
      attempts: 0,
      maxAttempts: job.maxAttempts,
      key: job.key,
      keyExpiresAt: job.key !== null && job.keyTtlMs != null ? now + job.keyTtlMs : null,
      lockedBy: null,
      leaseExpiresAt: null,
      enqueuedAt: now,
      finishedAt: null,
      errors: [],
      traceContext: job.traceContext ?? null,
      result: null,
      progress: null,
      groupKey: job.groupKey ?? null,
      rateKey: job.rateKey ?? null,
      ticket: 0,
    };
    this.#jobs.set(record.id, record);
    if (record.key !== null) this.#byKey.set(record.key, record);
    this.#order.append(record);
    this.#counts.add(record.name, record.state, 1);
    this.#pending.add(record);
    return { id: String(record.id), created: true };
  }

  /** A debounced enqueue of a job that has not started: its payload and start move, its id stays. */
  #debounce(existing: MemoryJob, job: NewJob, payload: string, now: number): void {
    existing.payload = payload;
    existing.keyExpiresAt = job.keyTtlMs != null ? now + job.keyTtlMs : existing.keyExpiresAt;
    this.#reschedule(existing, job.runAt > now ? "scheduled" : "ready", job.runAt);
  }

  #job(id: string): MemoryJob | undefined {
    const key = jobIdNumber(id);
    return key === null ? undefined : this.#jobs.get(key);
  }

  /** The job if it is running under `workerId`: writes of a worker that lost its lease change nothing. */
  #held(id: string, workerId: string): MemoryJob | undefined {
    const job = this.#job(id);
    return job?.state === "running" && job.lockedBy === workerId ? job : undefined;
  }

  #setState(job: MemoryJob, state: JobState): void {
    this.#counts.add(job.name, job.state, -1);
    this.#counts.add(job.name, state, 1);
    if (state === "running") this.#running.add(job);
    else this.#running.delete(job);
    job.state = state;
  }

  #finish(job: MemoryJob, state: "succeeded" | "dead", now: number): void {
    this.#setState(job, state);
    job.finishedAt = now;
    job.lockedBy = null;
    job.leaseExpiresAt = null;
  }

  /** Pending again (scheduled, ready or failed), due at runAt. */
  #reschedule(job: MemoryJob, state: "scheduled" | "ready" | "failed", runAt: number): void {
    this.#setState(job, state);
    job.runAt = runAt;
    job.lockedBy = null;
    job.leaseExpiresAt = null;
    this.#pending.add(job);
  }

  #delete(job: MemoryJob): void {
    this.#rows.forget(job.id);
    this.#pending.remove(job);
    this.#jobs.delete(job.id);
    if (job.key !== null) this.#byKey.delete(job.key);
    this.#counts.add(job.name, job.state, -1);
    this.#order.remove(job);
  }

  /** After the caller's call has returned, as a NOTIFY is delivered after its commit. */
  #wake(control = false): void {
    if (this.#subscribers.size === 0) return;
    queueMicrotask(() => {
      for (const subscriber of this.#subscribers) subscriber(control);
    });
  }
}

const finalStates: ReadonlySet<JobState> = new Set(["succeeded", "dead", "cancelled"]);

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** A JobStore in this process's memory: jobs are lost when the process ends (see store.ts). */
export function memoryStore(): MemoryJobStore {
  return new MemoryJobStore();
}
