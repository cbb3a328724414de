// The JobStore on PostgreSQL: the operations are in sql/, one file per family.
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
  JobStats,
  JobStore,
  ListOptions,
  NewJob,
  Pause,
  PauseTarget,
  PruneOptions,
  RecoverOptions,
  RenewOptions,
  StatsOptions,
  Subscription,
  WorkerOptions,
} from "../../jobs/store.ts";
import type {
  DependencyKind,
  EnqueuedGraphJob,
  FindEventsOptions,
  GraphOptions,
  NewDependency,
  StoredEvent,
  StoredStep,
  Suspension,
} from "../../jobs/workflow-store.ts";
import { guardClosed } from "../common.ts";
import { type Connections, openConnections, type Pool, type PostgresConnectionOptions } from "./connections.ts";
import type { PostgresTx, StoreContext } from "./context.ts";
import { PostgresConnectionError } from "./errors.ts";
import { GroupCommit } from "./group-commit.ts";
import { applyMigrations } from "./migrate.ts";
import { cancelChannel, coalescedNotify, doneChannel, subscribe, subscribeIds, wakeChannel } from "./notifier.ts";
import { checkSchemaName } from "./schema-name.ts";
import {
  cancel,
  cancelled,
  counts,
  discard,
  get,
  list,
  progress,
  prune,
  retry,
  runNow,
  watchEnd,
} from "./sql/admin.ts";
import { claim } from "./sql/claim.ts";
import { controlPayload, pause, paused, resume } from "./sql/control.ts";
import { enqueue } from "./sql/enqueue.ts";
import { complete, fail } from "./sql/finish.ts";
import { recoverExpired, release, renew } from "./sql/leases.ts";
import { stats } from "./sql/stats.ts";
import * as workflows from "./sql/workflows.ts";
import { identifier } from "./template.ts";

export type PostgresStoreOptions = PostgresConnectionOptions & {
  /** The PostgreSQL schema holding the jobs table (created at init). Default "errand". */
  schema?: string;
};

/** Durable jobs on PostgreSQL: many instances share one schema; claims use FOR UPDATE SKIP LOCKED. */
export class PostgresJobStore implements JobStore<PostgresTx> {
  readonly schema: string;
  /** A due job enqueued outside a transaction can be stored already claimed (NewJob.claimBy). */
  readonly claimsOnEnqueue = true;
  readonly #ctx: StoreContext;
  readonly #connections: Connections;
  readonly #groupCommit: GroupCommit;
  #initialized: Promise<void> | undefined;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    this.schema = checkSchemaName(options.schema ?? "errand");
    const connections = openConnections(options);
    this.#connections = connections;
    const channel = wakeChannel(this.schema);
    this.#ctx = {
      db: connections.db,
      transition: connections.transition,
      begin: connections.begin,
      notify: coalescedNotify(() => connections.notifyOn`select pg_notify(${channel}, '')`),
      schema: this.schema,
      jobs: identifier(this.schema, "jobs"),
      channel,
      cancelChannel: cancelChannel(this.schema),
      doneChannel: doneChannel(this.schema),
    };
    const ctx = this.#ctx;
    this.#groupCommit = new GroupCommit((jobs, now) => enqueue(ctx, jobs, now), {
      isBatchWide: (error) => error instanceof PostgresConnectionError,
    });
    guardClosed(this, () => this.#closed);
  }

  /** The node-postgres pool the store runs on (the app's, when it passed one). */
  get pool(): Pool {
    return this.#connections.pool;
  }

  init(): Promise<void> {
    this.#initialized ??= applyMigrations(this.#connections.begin, this.schema).catch((error: unknown) => {
      this.#initialized = undefined;
      throw error;
    });
    return this.#initialized;
  }

  /**
   * Inside the caller's `tx`, the jobs go through that transaction. Without it, concurrent calls share
   * one statement and one commit (group-commit.ts); each resolves only after that commit.
   */
  enqueue(jobs: readonly NewJob[], options: EnqueueOptions<PostgresTx>): Promise<EnqueuedJob[]> {
    if (options.tx || jobs.length === 0) return enqueue(this.#ctx, jobs, options.now, options.tx);
    return this.#groupCommit.enqueue(jobs, options.now);
  }

  claim(options: ClaimOptions): Promise<ClaimedJob[]> {
    return claim(this.#ctx, options);
  }

  complete(ids: readonly string[], options: CompleteOptions): Promise<number> {
    return complete(this.#ctx, ids, options);
  }

  fail(failures: readonly JobFailure[], options: WorkerOptions): Promise<number> {
    return fail(this.#ctx, failures, options);
  }

  renew(ids: readonly string[], options: RenewOptions): Promise<string[]> {
    return renew(this.#ctx, ids, options);
  }

  release(ids: readonly string[], options: WorkerOptions): Promise<number> {
    return release(this.#ctx, ids, options);
  }

  recoverExpired(options: RecoverOptions): Promise<number> {
    return recoverExpired(this.#ctx, options);
  }

  retry(id: string, options: { now: number }): Promise<boolean> {
    return retry(this.#ctx, id, options.now);
  }

  cancel(id: string, options: { now: number }): Promise<CancelledJob | null> {
    return cancel(this.#ctx, id, options.now);
  }

  cancelled(ids: readonly string[]): Promise<string[]> {
    return cancelled(this.#ctx, ids);
  }

  progress(id: string, value: string, options: WorkerOptions): Promise<boolean> {
    return progress(this.#ctx, id, value, options.workerId);
  }

  discard(id: string): Promise<boolean> {
    return discard(this.#ctx, id);
  }

  runNow(id: string, options: { now: number }): Promise<boolean> {
    return runNow(this.#ctx, id, options.now);
  }

  get(id: string): Promise<JobRecord | null> {
    return get(this.#ctx, id);
  }

  list(options: ListOptions): Promise<JobPage> {
    return list(this.#ctx, options);
  }

  counts(): Promise<JobCount[]> {
    return counts(this.#ctx);
  }

  stats(options: StatsOptions): Promise<JobStats> {
    return stats(this.#ctx, options);
  }

  prune(options: PruneOptions): Promise<number> {
    return prune(this.#ctx, options);
  }

  enqueueGraph(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    options: GraphOptions<PostgresTx>,
  ): Promise<EnqueuedGraphJob[]> {
    return workflows.enqueueGraph(this.#ctx, jobs, dependencies, options.now, options.tx, options.flow);
  }

  settleDependencies(options: { now: number }): Promise<{ settled: number; waiting: number }> {
    return workflows.settleDependencies(this.#ctx, options.now);
  }

  dependencies(id: string, kind: DependencyKind): Promise<JobRecord[]> {
    return workflows.dependencies(this.#ctx, id, kind);
  }

  steps(id: string): Promise<StoredStep[]> {
    return workflows.steps(this.#ctx, id);
  }

  saveStep(id: string, step: StoredStep, options: WorkerOptions & { clearWait?: boolean }): Promise<boolean> {
    return workflows.saveStep(this.#ctx, id, step, options);
  }

  suspend(suspensions: readonly Suspension[], options: WorkerOptions): Promise<number> {
    return workflows.suspend(this.#ctx, suspensions, options);
  }

  sendEvent(event: string, data: unknown, options: { now: number }): Promise<number> {
    return workflows.sendEvent(this.#ctx, event, data, options.now);
  }

  findEvents(event: string, options: FindEventsOptions): Promise<StoredEvent[]> {
    return workflows.findEvents(this.#ctx, event, options);
  }

  pause(target: PauseTarget, options: { now: number }): Promise<boolean> {
    return pause(this.#ctx, target, options.now);
  }

  resume(target: PauseTarget): Promise<boolean> {
    return resume(this.#ctx, target);
  }

  paused(): Promise<Pause[]> {
    return paused(this.#ctx);
  }

  subscribe(onWake: () => void, onControl?: () => void): Promise<Subscription> {
    return subscribe(this.#connections, this.#ctx.channel, (payload) => {
      // A reconnect (payload undefined) may have missed a control change too; a resume needs a wake.
      if (payload === controlPayload || payload === undefined) onControl?.();
      onWake();
    });
  }

  subscribeCancels(onCancel: (id: string) => void): Promise<Subscription> {
    return subscribeIds(this.#connections, this.#ctx.cancelChannel, onCancel);
  }

  watchEnd(id: string): Promise<void> {
    return watchEnd(this.#ctx, id);
  }

  subscribeEnds(onEnd: (id: string) => void): Promise<Subscription> {
    return subscribeIds(this.#connections, this.#ctx.doneChannel, onEnd);
  }

  /**
   * Ends the pools the store opened; a client the app passed in stays open. Every later call fails with
   * StoreClosedError (not a retryable connection error). Twice is fine.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return this.#connections.end();
  }
}

/** `postgresStore({ url })`, `postgresStore({ pool })` or `postgresStore({ db })`, with an optional `schema`. */
export function postgresStore(options: PostgresStoreOptions): PostgresJobStore {
  return new PostgresJobStore(options);
}
