// The running half of a Jobs service: the dispatcher that claims, the executors that run, the lease
// renewer, and the shutdown sequence. Created at start, discarded at stop.
import { type Channel, createChannel, NO_ITEM } from "../channel/index.ts";
import type { Clock } from "../clock/index.ts";
import { untilAborted } from "../hosting/background-service.ts";
import type { Logger } from "../hosting/index.ts";
import type { ServiceRegistry } from "../scope/index.ts";
import { type AttemptOutcome, runAttempt } from "./attempt.ts";
import { AttemptControl } from "./attempt-control.ts";
import { defaultBackoff } from "./backoff.ts";
import { ClaimGate } from "./claim-gate.ts";
import { CompletionWriter } from "./completions.ts";
import type { AnyJobDefinition } from "./define-job.ts";
import { JobCancelledError, JobResultError, JobsShutdownError, LeaseLostError, NonRetryableError } from "./errors.ts";
import { type JobEvents, jobRef, startedDetail } from "./events.ts";
import type { InFlightJob } from "./in-flight.ts";
import type {
  ClaimedJob,
  ClaimOptions,
  EnqueuedJob,
  JobAttemptError,
  JobStore,
  NewJob,
  RateLimitRule,
  Subscription,
} from "./store.ts";
import type { JobTracing } from "./tracing.ts";
import type { Wakeup } from "./wakeup.ts";
import { parkedRunAt } from "./workflow-store.ts";

export interface RunnerOptions {
  store: JobStore<unknown>;
  definitions: ReadonlyMap<string, AnyJobDefinition>;
  workerId: string;
  executors: number;
  channelCapacity: number;
  /** Ended jobs whose outcomes may await their write before an executor waits to start another. */
  maxUnwrittenOutcomes: number;
  pollIntervalMs: number;
  leaseMs: number;
  queues: readonly string[] | undefined;
  registry: ServiceRegistry;
  logger: Logger;
  clock: Clock;
  wakeup: Wakeup;
  events: JobEvents;
  /** Spans per attempt when tracing is on. */
  tracing: JobTracing | undefined;
  /** The largest handler result stored (UTF-8 bytes of its JSON). */
  maxResultBytes: number;
  /** At most one progress write per job per this interval; the latest report wins. */
  progressIntervalMs: number;
}

export class JobRunner {
  readonly #o: RunnerOptions;
  readonly #channel: Channel<InFlightJob>;
  readonly #inFlight = new Map<string, InFlightJob>();
  readonly #completions: CompletionWriter;
  readonly #stopping = new AbortController();
  /** Outlives #stopping: leases are renewed while running handlers finish during shutdown. */
  readonly #renewing = new AbortController();
  readonly #names: string[];
  readonly #limits: Record<string, number> = {};
  /** groupLimits, rateLimits and onRateLimited for the claim; empty when no job has them. */
  readonly #keyedLimits: Pick<ClaimOptions, "groupLimits" | "rateLimits" | "onRateLimited">;
  /** The pauses and limits as this process knows them (claim-gate.ts). */
  readonly gate: ClaimGate;
  /** A pause or resume happened: read the pauses again before the next claim. */
  #pausesStale = true;
  /** Paused jobs taken from the channel unstarted, given back in one release. */
  #pausedGiveBack: string[] = [];
  /** The claim window: the most claimed jobs whose handlers have not ended (buffered or running). */
  readonly #maxUnfinished: number;
  /**
   * The most claimed jobs held at once, counting those whose outcome awaits its write: while a write is
   * slow, outcomes and their leases pile up only to this bound, then claiming pauses. Three windows: one
   * being written, one waiting for that write, one running; a bound of two left claims idle behind writes.
   */
  readonly #maxHeld: number;
  #unfinished = 0;
  #dispatcher: Promise<void> = Promise.resolve();
  #executors: Promise<void> = Promise.resolve();
  #renewer: Promise<void> = Promise.resolve();
  #subscription: Subscription | undefined;
  #cancelSubscription: Subscription | undefined;
  #cancelWatch: Promise<void> = Promise.resolve();
  #lastError: unknown = undefined;
  /** A claim failed; it may have been applied with its answer lost (see #releaseUnknownClaims). */
  #unknownClaims = false;
  /**
   * Some job waits for others (a flow parent, `after`): written outcomes may release it, so each write
   * is followed by a settle. Off while the store reports no waiter, so ordinary jobs cost no query.
   */
  #waiters = false;
  #settling: Promise<void> | undefined;
  #settleAgain = false;
  /** Jobs taken on enqueue (takeOnEnqueue) whose enqueue has not answered yet. */
  #taking = 0;

  constructor(options: RunnerOptions) {
    this.#o = options;
    this.#channel = createChannel<InFlightJob>({ capacity: options.channelCapacity });
    this.#names = [...options.definitions.keys()];
    this.#maxUnfinished = options.channelCapacity + options.executors;
    this.#maxHeld = 3 * this.#maxUnfinished;
    for (const def of options.definitions.values())
      if (def.concurrency !== undefined) this.#limits[def.name] = def.concurrency;
    this.#keyedLimits = keyedLimits(options);
    this.gate = new ClaimGate(options.definitions.values());
    this.#completions = new CompletionWriter({
      store: options.store,
      workerId: options.workerId,
      clock: options.clock,
      logger: options.logger,
      retryDelayMs: options.pollIntervalMs,
      onWritten: (ids) => this.#forget(ids),
    });
  }

  /** Claimed jobs waiting in the channel for an executor. */
  get buffered(): number {
    return this.#channel.reader.count;
  }

  /** The error of the last failed store call, until a call succeeds again (readiness). */
  get lastError(): unknown {
    return this.#lastError;
  }

  async start(): Promise<void> {
    this.#subscription = await this.#o.store.subscribe?.(
      () => this.#o.wakeup.wake(),
      () => this.controlChanged(),
    );
    this.#cancelSubscription = await this.#o.store.subscribeCancels?.((id) => this.cancel(id));
    this.#cancelWatch = this.#watchCancels();
    this.#dispatcher = this.#dispatch();
    this.#executors = Promise.all(Array.from({ length: this.#o.executors }, () => this.#execute())).then(() => {});
    this.#renewer = this.#renew();
  }

  /**
   * Stop claiming and give back what has not started; let running handlers finish until `signal`
   * aborts, then abort them and release their leases in one call so other workers take them at once.
   */
  async stop(signal: AbortSignal): Promise<void> {
    this.#stopping.abort();
    // A claim stuck on an unreachable database must not hold the shutdown past its deadline.
    await Promise.race([this.#dispatcher, untilAborted(signal)]);
    await this.#releaseBuffered();
    this.#channel.writer.complete();
    const onDeadline = () => this.#abandonRunning();
    signal.addEventListener("abort", onDeadline, { once: true });
    if (signal.aborted) onDeadline();
    await this.#executors;
    signal.removeEventListener("abort", onDeadline);
    this.#completions.close();
    await this.#completions.flush();
    await this.#releaseAbandoned();
    this.#renewing.abort();
    await this.#renewer;
    await this.#settling;
    await this.#cancelWatch;
    await this.#subscription?.close();
    await this.#cancelSubscription?.close();
  }

  async #dispatch(): Promise<void> {
    const { clock, pollIntervalMs, wakeup } = this.#o;
    let lastRecovery = -Infinity;
    while (!this.#stopping.signal.aborted) {
      let full = false;
      try {
        if (this.#unknownClaims && this.#taking === 0) await this.#releaseUnknownClaims();
        if (clock.now() - lastRecovery >= pollIntervalMs) {
          lastRecovery = clock.now();
          await this.#o.store.recoverExpired({ now: lastRecovery });
          // Waiters enqueued by other processes, or released by outcomes written elsewhere.
          this.dependenciesChanged();
          this.#pausesStale = true;
        }
        if (this.#pausesStale) await this.#refreshPauses();
        full = await this.#claimBatch();
        this.#lastError = undefined;
      } catch (error) {
        this.#lastError = error;
        this.#o.logger.error({ err: error }, "claiming jobs failed; retrying after the poll interval");
      }
      // A full batch means more may be due: claim again at once instead of sleeping.
      if (!full) await wakeup.wait(pollIntervalMs, clock, this.#stopping.signal);
    }
  }

  /** Pauses changed (here, or another instance said so): read them before the next claim. */
  controlChanged(): void {
    this.#pausesStale = true;
    this.#o.wakeup.wake();
  }

  /**
   * The claim statements already skip paused jobs; this echo lets executors give back the jobs that
   * were claimed before a pause and wait in the channel, so they do not start after it (polled at the
   * poll interval, at once on a pause here or, on PostgreSQL, a NOTIFY from another instance).
   */
  async #refreshPauses(): Promise<void> {
    this.#pausesStale = false;
    const since = this.gate.added;
    if (!this.gate.update(await this.#o.store.paused(), since)) this.#pausesStale = true;
  }

  /**
   * Free slots, counted only once worth a claim: half the window, or an idle executor. A job leaves the
   * window when its handler ends, not when its outcome is written, so the next claim's round trip
   * overlaps the write of the previous outcomes instead of following it. When the outcomes awaiting
   * their write are what limits, a few slots are not worth a round trip: the write frees many soon.
   */
  #room(): number {
    const window = this.#maxUnfinished - this.#unfinished;
    const room = Math.min(window, this.#maxHeld - this.#inFlight.size);
    const executorIdle = this.#unfinished < this.#o.executors;
    return room >= this.#maxUnfinished / 2 || (executorIdle && room > 0 && room === window) ? room : 0;
  }

  /** Claims as many jobs as this process may hold; true when it got all it asked for. */
  async #claimBatch(): Promise<boolean> {
    const room = this.#room();
    if (room <= 0) return false;
    const { store, workerId, clock, leaseMs, queues } = this.#o;
    let claimed: ClaimedJob[];
    try {
      claimed = await store.claim({
        workerId,
        limit: room,
        now: clock.now(),
        leaseMs,
        names: this.#names,
        limits: this.#limits,
        ...this.#keyedLimits,
        ...(this.#keyedLimits.rateLimits ? this.#rateRoom() : {}),
        ...(queues ? { queues } : {}),
      });
    } catch (error) {
      this.#unknownClaims = true;
      throw error;
    }
    for (const job of claimed) await this.#accept(job);
    return claimed.length === room;
  }

  /** Rate-limited jobs only for idle executors, counted at the time the store's lock is granted. */
  #rateRoom(): Pick<ClaimOptions, "rateLimitedRoom" | "clock"> {
    const { executors, clock } = this.#o;
    return { rateLimitedRoom: Math.max(0, executors - this.#unfinished), clock: () => clock.now() };
  }

  /**
   * A claim whose connection was lost after the statement reached the database may have committed:
   * its jobs are running under this worker, which never heard of them, so nobody would run them until
   * their lease expired. Before claiming again, the jobs running under this worker that it does not
   * hold are given back (release: the attempt was never started). Only the dispatcher claims, and it
   * is here, so no claim is in flight whose jobs this could take for lost ones: the other way to claim,
   * taking jobs on enqueue, is off while #unknownClaims is set, and this runs only once none is in flight.
   */
  async #releaseUnknownClaims(): Promise<void> {
    const { store, workerId, clock } = this.#o;
    const unknown: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.list({ state: "running", limit: 1000, ...(cursor === null ? {} : { cursor }) });
      for (const job of page.jobs) if (job.lockedBy === workerId && !this.#inFlight.has(job.id)) unknown.push(job.id);
      cursor = page.nextCursor;
    } while (cursor !== null);
    if (unknown.length > 0) {
      const released = await store.release(unknown, { workerId, now: clock.now() });
      this.#o.logger.warn({ jobs: released }, "released jobs claimed by a claim whose answer was lost");
    }
    this.#unknownClaims = false;
  }

  /**
   * Taking jobs on enqueue: a due job this process enqueues (outside a transaction) while one of its
   * executors is idle is stored already claimed by it (NewJob.claimBy), so it starts without the claim
   * round trip after the enqueue's commit (about 1 ms of an idle enqueue→start on PostgreSQL). Each
   * such job takes its slot of the claim window now, so concurrent enqueues never take more jobs than
   * there are idle executors, and a taken job never passes jobs already waiting in the channel. Call
   * `enqueued` with the store's answer (or null when it failed) to hand the jobs over or give the
   * slots back.
   */
  takeOnEnqueue(rows: readonly NewJob[], now: number): readonly NewJob[] {
    if (!this.#o.store.claimsOnEnqueue || this.#unknownClaims || this.#stopping.signal.aborted) return rows;
    const claimBy = { workerId: this.#o.workerId, leaseExpiresAt: now + this.#o.leaseMs };
    return rows.map((row) => {
      if (row.runAt > now || !this.#takesOnEnqueue(row)) return row;
      if (this.#unfinished >= this.#o.executors || this.#inFlight.size + this.#taking >= this.#maxHeld) return row;
      this.#unfinished++;
      this.#taking++;
      return { ...row, claimBy };
    });
  }

  /**
   * Whether a job of this name and queue may be taken on enqueue rather than through the dispatcher's
   * claim, which is where the rules on running jobs are applied. Only for what this process runs, and
   * never for a paused name or queue, nor one under a concurrency or rate limit: those are counted
   * under the claim's lock (the gate knows which).
   */
  #takesOnEnqueue(row: NewJob): boolean {
    const { definitions, queues } = this.#o;
    return definitions.has(row.name) && this.gate.mayClaimDirectly(row.name) && (!queues || queues.includes(row.queue));
  }

  /** The store's answer to an enqueue whose rows went through takeOnEnqueue; null when it failed. */
  async enqueued(rows: readonly NewJob[], results: readonly EnqueuedJob[] | null, now: number): Promise<void> {
    const taken: ClaimedJob[] = [];
    for (const [i, row] of rows.entries()) {
      if (!row.claimBy) continue;
      this.#taking--;
      const result = results?.[i];
      if (result?.created) taken.push(claimedOnEnqueue(row, result.id, now));
      else this.#unfinished--;
    }
    // The statement may have committed before its answer was lost: its jobs would be running under this
    // worker, unknown to it. The dispatcher gives such jobs back before its next claim.
    if (results === null && rows.some((row) => row.claimBy)) this.#unknownClaims = true;
    if (this.#stopping.signal.aborted) {
      this.#unfinished -= taken.length;
      if (taken.length > 0) await this.#giveBack(taken.map((job) => job.id));
    } else for (const job of taken) await this.#accept(job, true);
    this.#wakeIfRoom();
  }

  /** Jobs taken on enqueue after stop began: released unstarted, so another worker runs them now. */
  async #giveBack(ids: string[]): Promise<void> {
    try {
      await this.#o.store.release(ids, { workerId: this.#o.workerId, now: this.#o.clock.now() });
    } catch (error) {
      this.#o.logger.warn(
        { err: error, jobs: ids.length },
        "could not release jobs taken on enqueue during stop; their lease will expire",
      );
    }
  }

  /** `slotTaken`: the job's slot in the claim window was already counted (takeOnEnqueue). */
  async #accept(claimed: ClaimedJob, slotTaken = false): Promise<void> {
    const def = this.#o.definitions.get(claimed.name)!;
    const job: InFlightJob = { claimed, def, control: new AttemptControl(), abandoned: false, finished: false };
    this.#inFlight.set(claimed.id, job);
    if (!slotTaken) this.#unfinished++;
    // Room was counted before claiming, so this succeeds; write() only covers the impossible case.
    if (!this.#channel.writer.tryWrite(job)) await this.#channel.writer.write(job);
  }

  /**
   * The job was cancelled (here or on another instance): a buffered one never starts, a running one's
   * ctx.signal aborts with JobCancelledError and whatever its handler does next is not recorded.
   */
  cancel(id: string): void {
    const job = this.#inFlight.get(id);
    if (!job || job.finished || job.abandoned) return;
    job.abandoned = true;
    job.control.abort(new JobCancelledError(id));
    this.#inFlight.delete(id);
  }

  /**
   * Asks the store which held jobs were cancelled: the only way on stores that cannot push a cancel
   * (SQLite: every poll interval), a fallback for a lost NOTIFY elsewhere (every lease renewal).
   */
  async #watchCancels(): Promise<void> {
    const { store, clock, logger, pollIntervalMs, leaseMs } = this.#o;
    const every = store.subscribeCancels ? leaseMs / 3 : pollIntervalMs;
    const stopped = this.#renewing.signal;
    while (!stopped.aborted) {
      await clock.sleep(every, stopped).catch(() => {});
      const ids: string[] = [];
      for (const [id, job] of this.#inFlight) if (!job.finished && !job.abandoned) ids.push(id);
      if (stopped.aborted || ids.length === 0) continue;
      try {
        for (const id of await store.cancelled(ids)) this.cancel(id);
      } catch (error) {
        logger.error({ err: error, jobs: ids.length }, "checking jobs for cancellation failed; retrying");
      }
    }
  }

  /** ctx.progress: a `progress` event now; the store write at once, or at the end of the throttle interval. */
  #progress(job: InFlightJob, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) return Promise.reject(new TypeError("ctx.progress needs a number or a JSON value."));
    this.#o.events.emit("progress", jobRef(job.claimed), () => ({ progress: JSON.parse(json) as unknown }));
    job.progress = json;
    if (job.progressTimer !== undefined) return Promise.resolve();
    const wait = (job.progressAt ?? -Infinity) + this.#o.progressIntervalMs - Date.now();
    if (wait <= 0) return this.#writeProgress(job);
    job.progressTimer = setTimeout(() => void this.#writeProgress(job), wait);
    return Promise.resolve();
  }

  async #writeProgress(job: InFlightJob): Promise<void> {
    job.progressTimer = undefined;
    job.progressAt = Date.now();
    const { store, workerId, clock, logger } = this.#o;
    if (job.finished || job.abandoned || job.progress === undefined) return;
    try {
      await store.progress(job.claimed.id, job.progress, { workerId, now: clock.now() });
    } catch (error) {
      logger.error({ err: error, jobId: job.claimed.id }, "storing job progress failed");
    }
  }

  async #execute(): Promise<void> {
    const { registry, logger, store, workerId, clock } = this.#o;
    const deps = {
      registry,
      logger,
      store,
      workerId,
      clock,
      maxResultBytes: this.#o.maxResultBytes,
      progress: (job: InFlightJob, value: unknown) => this.#progress(job, value),
    };
    for await (const job of this.#channel.reader) {
      if (!job.abandoned && this.gate.paused(job.claimed.name, job.claimed.queue)) this.#giveBackPaused(job);
      // The check is synchronous: the common case costs no await per job.
      if (!job.abandoned && !this.#roomToRun() && !(await this.#waitForRoom())) job.abandoned = true;
      if (!job.abandoned) this.#record(job, await this.#run(job, deps));
      this.#finish(job);
    }
  }

  /** A job claimed before its pause: back to ready unstarted, its attempt not counted (release). */
  #giveBackPaused(job: InFlightJob): void {
    job.abandoned = true;
    if (this.#pausedGiveBack.push(job.claimed.id) > 1) return;
    queueMicrotask(() => {
      const ids = this.#pausedGiveBack;
      this.#pausedGiveBack = [];
      void this.#release(ids);
    });
  }

  /**
   * The at-least-once window. A crash makes every job run again whose outcome is not stored: the
   * running ones (at most `executors`) and the ended ones whose outcome awaits its batched write.
   * Starting a job only while fewer than maxUnwrittenOutcomes outcomes await their write keeps that
   * at most executors + maxUnwrittenOutcomes - 1: starting one adds one to running + unwritten only
   * when this executor ran nothing and unwritten was below the limit, and ending one moves it from
   * running to unwritten.
   */
  #roomToRun(): boolean {
    return this.#completions.unwritten < this.#o.maxUnwrittenOutcomes;
  }

  /** Waits for room to run a job; false when the service stops first: the job is given back unstarted. */
  async #waitForRoom(): Promise<boolean> {
    await this.#completions.below(this.#o.maxUnwrittenOutcomes, this.#stopping.signal);
    return !this.#stopping.signal.aborted;
  }

  async #run(job: InFlightJob, deps: Parameters<typeof runAttempt>[1]): Promise<AttemptOutcome> {
    const { clock, events } = this.#o;
    const { claimed } = job;
    const startedAt = clock.now();
    events.emit("started", jobRef(claimed), () => startedDetail(claimed, startedAt));
    const tracing = this.#o.tracing;
    const outcome = tracing
      ? await tracing.attempt(claimed, (traceId) => {
          job.traceId = traceId;
          return runAttempt(job, deps);
        })
      : await runAttempt(job, deps);
    job.durationMs = clock.now() - startedAt;
    // The last report held back by the throttle is stored before the outcome, while the job still runs.
    if (job.progressTimer !== undefined) {
      clearTimeout(job.progressTimer);
      await this.#writeProgress(job);
    }
    return outcome;
  }

  /** The job leaves the claim window; its lease stays held (and renewed) until its outcome is written. */
  #finish(job: InFlightJob): void {
    job.finished = true;
    clearTimeout(job.progressTimer);
    this.#unfinished--;
    this.#wakeIfRoom();
  }

  #record(job: InFlightJob, outcome: AttemptOutcome): void {
    if (job.abandoned || outcome.kind === "abandoned") return;
    if (outcome.kind === "suspended") {
      this.#suspended(job, outcome.runAt);
      return;
    }
    if (outcome.kind === "succeeded") {
      this.#completions.succeeded(job.claimed.id, outcome.result);
      return;
    }
    const { claimed } = job;
    const now = this.#o.clock.now();
    const error = describeFailure(outcome.error, claimed.attempt, now, this.#o.workerId, job.durationMs);
    const final =
      outcome.error instanceof NonRetryableError ||
      outcome.error instanceof JobResultError ||
      claimed.attempt >= claimed.maxAttempts;
    const retryAt = final ? null : now + this.#retryDelay(job, outcome.error);
    job.failure = { id: claimed.id, error, retryAt };
    this.#completions.failed(job.failure);
    // While stopping nobody claims any more, and the timer would outlive the service.
    if (retryAt !== null && !this.#stopping.signal.aborted) this.#o.wakeup.wakeAt(retryAt, this.#o.clock);
  }

  /** The store has the job again (scheduled): nothing to write, no lease to renew. */
  #suspended(job: InFlightJob, runAt: number): void {
    this.#inFlight.delete(job.claimed.id);
    if (runAt < parkedRunAt && !this.#stopping.signal.aborted) this.#o.wakeup.wakeAt(runAt, this.#o.clock);
  }

  /**
   * The job's backoff, guarded: it is user code, and a throw here would kill the executor and leave the
   * job leased (and renewed) forever. A broken backoff falls back to the default one.
   */
  #retryDelay({ claimed, def }: InFlightJob, error: unknown): number {
    try {
      const delay = (def.backoff ?? defaultBackoff)(claimed.attempt, error);
      if (Number.isFinite(delay)) return Math.max(0, delay);
      this.#o.logger.error(
        { jobId: claimed.id, job: claimed.name, delay },
        "the job's backoff returned no finite delay; using the default backoff",
      );
    } catch (backoffError) {
      this.#o.logger.error(
        { jobId: claimed.id, job: claimed.name, err: backoffError },
        "the job's backoff threw; using the default backoff",
      );
    }
    return defaultBackoff(claimed.attempt, error);
  }

  #forget(ids: readonly string[]): void {
    for (const id of ids) {
      const job = this.#inFlight.get(id);
      if (job) this.#outcomeWritten(job);
      this.#inFlight.delete(id);
    }
    if (this.#waiters) this.dependenciesChanged();
    this.#wakeIfRoom();
  }

  /**
   * Settles waiters whose dependencies have ended (store.settleDependencies), one sweep at a time; a
   * call during a sweep asks for one more after it, so an outcome written meanwhile is not missed.
   */
  dependenciesChanged(): void {
    if (this.#settling) {
      this.#settleAgain = true;
      return;
    }
    this.#settling = this.#settle().finally(() => {
      this.#settling = undefined;
      if (this.#settleAgain && !this.#stopping.signal.aborted) {
        this.#settleAgain = false;
        this.dependenciesChanged();
      }
    });
  }

  async #settle(): Promise<void> {
    try {
      const { settled, waiting } = await this.#o.store.settleDependencies({ now: this.#o.clock.now() });
      this.#waiters = waiting > 0;
      if (settled > 0) this.#o.wakeup.wake();
    } catch (error) {
      this.#o.logger.error({ err: error }, "settling waiting jobs failed; retrying at the next poll");
    }
  }

  /** Events for an outcome go out once it is stored, so a listener reading the job sees it. */
  #outcomeWritten({ claimed, failure, durationMs = 0 }: InFlightJob): void {
    const { events } = this.#o;
    const attempt = claimed.attempt;
    if (!failure) events.emit("succeeded", jobRef(claimed), () => ({ attempt, durationMs }));
    else if (failure.retryAt === null)
      events.emit("dead", jobRef(claimed), () => ({ attempt, durationMs, error: failure.error }));
    else {
      const retryAt = failure.retryAt;
      events.emit("failed", jobRef(claimed), () => ({ attempt, durationMs, error: failure.error, retryAt }));
    }
  }

  // Waking on every freed slot would claim in dribbles of a few jobs, one statement each; waiting
  // for half the room keeps batches large while the buffered half keeps the executors busy.
  #wakeIfRoom(): void {
    if (!this.#stopping.signal.aborted && this.#room() > 0) this.#o.wakeup.wake();
  }

  /** Renews every held lease a third of the lease into it; a lost one aborts its handler. */
  async #renew(): Promise<void> {
    const { store, workerId, clock, leaseMs, logger } = this.#o;
    const stopped = this.#renewing.signal;
    while (!stopped.aborted) {
      await clock.sleep(leaseMs / 3, stopped).catch(() => {});
      const ids = [...this.#inFlight.keys()];
      if (stopped.aborted || ids.length === 0) continue;
      try {
        const held = new Set(await store.renew(ids, { workerId, now: clock.now(), leaseMs }));
        const lost = ids.filter((id) => !held.has(id));
        // A cancelled job is not held either: its handler should see why.
        const cancelled = new Set(lost.length > 0 ? await store.cancelled(lost) : []);
        for (const id of lost) {
          if (cancelled.has(id)) this.cancel(id);
          else this.#lose(id);
        }
      } catch (error) {
        logger.error({ err: error, jobs: ids.length }, "renewing job leases failed; retrying");
      }
    }
  }

  #lose(id: string): void {
    const job = this.#inFlight.get(id);
    if (!job) return;
    this.#o.logger.warn({ jobId: id, job: job.claimed.name }, "job lease lost; its result will not be recorded");
    job.abandoned = true;
    job.control.abort(new LeaseLostError(id));
    this.#inFlight.delete(id);
  }

  async #releaseBuffered(): Promise<void> {
    const ids: string[] = [];
    for (let job = this.#channel.reader.tryRead(); job !== NO_ITEM; job = this.#channel.reader.tryRead()) {
      job.abandoned = true;
      job.finished = true;
      this.#unfinished--;
      ids.push(job.claimed.id);
    }
    await this.#release(ids);
  }

  #abandonRunning(): void {
    // A finished job only awaits its outcome's write, which the final flush makes.
    for (const job of this.#inFlight.values()) {
      if (job.abandoned || job.finished) continue;
      job.abandoned = true;
      job.control.abort(new JobsShutdownError());
    }
  }

  async #releaseAbandoned(): Promise<void> {
    await this.#release([...this.#inFlight.values()].filter((job) => job.abandoned).map((job) => job.claimed.id));
  }

  async #release(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { store, workerId, clock, logger } = this.#o;
    try {
      await store.release(ids, { workerId, now: clock.now() });
    } catch (error) {
      logger.error(
        { err: error, jobs: ids.length },
        "releasing job leases failed; they become ready when their leases expire",
      );
    }
    for (const id of ids) this.#inFlight.delete(id);
  }
}

/** The claim's per-key and rate limits; nothing at all when no job has them, so the claim is unchanged. */
function keyedLimits(o: RunnerOptions): Pick<ClaimOptions, "groupLimits" | "rateLimits" | "onRateLimited"> {
  const groupLimits: Record<string, number> = {};
  const rateLimits: Record<string, RateLimitRule> = {};
  for (const def of o.definitions.values()) {
    if (def.concurrencyByKey) groupLimits[def.name] = def.concurrencyByKey.limit;
    if (def.rateLimit) {
      const { max, perMs, keyed } = def.rateLimit;
      rateLimits[def.name] = keyed ? { max, perMs, keyed } : { max, perMs };
    }
  }
  const limits: Pick<ClaimOptions, "groupLimits" | "rateLimits" | "onRateLimited"> = {};
  if (Object.keys(groupLimits).length > 0) limits.groupLimits = groupLimits;
  if (Object.keys(rateLimits).length > 0) {
    limits.rateLimits = rateLimits;
    // Due jobs held back by a rate limit: sleep until the window frees, not a poll sooner or later.
    limits.onRateLimited = (at) => o.wakeup.wakeAt(at, o.clock);
  }
  return limits;
}

/** A failed attempt as stored in the job's history (also used by errand/testing's drain). */
export function describeFailure(
  error: unknown,
  attempt: number,
  at: number,
  workerId: string,
  durationMs: number | undefined,
): JobAttemptError {
  const took = durationMs === undefined ? {} : { durationMs };
  if (error instanceof Error) {
    return {
      attempt,
      at,
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      workerId,
      ...took,
    };
  }
  return { attempt, at, name: "Error", message: String(error), workerId, ...took };
}

/** The claimed job a row taken on enqueue became: what a claim would have returned for it. */
function claimedOnEnqueue(row: NewJob, id: string, now: number): ClaimedJob {
  return {
    id,
    name: row.name,
    queue: row.queue,
    payload: row.payload,
    priority: row.priority,
    attempt: 1,
    maxAttempts: row.maxAttempts,
    enqueuedAt: now,
    runAt: row.runAt,
    leaseExpiresAt: row.claimBy!.leaseExpiresAt,
    key: row.key,
    ...(row.traceContext === undefined ? {} : { traceContext: row.traceContext }),
  };
}
