// The JobStore on PostgreSQL: the operations are in sql/, one file per family.
import type {
  ClaimedJob,
  ClaimOptions,
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
import { type Connections, openConnections, type Pool, type PostgresConnectionOptions } from "./connections.ts";
import type { PostgresTx, StoreContext } from "./context.ts";
import { applyMigrations } from "./migrate.ts";
import { coalescedNotify, subscribe, wakeChannel } from "./notifier.ts";
import { checkSchemaName } from "./schema-name.ts";
import { counts, discard, get, list, prune, retry, runNow } from "./sql/admin.ts";
import { claim } from "./sql/claim.ts";
import { controlPayload, pause, paused, resume } from "./sql/control.ts";
import { enqueue } from "./sql/enqueue.ts";
import { complete, fail } from "./sql/finish.ts";
import { recoverExpired, release, renew } from "./sql/leases.ts";
import { stats } from "./sql/stats.ts";
import { identifier } from "./template.ts";

export type PostgresStoreOptions = PostgresConnectionOptions & {
  /** The PostgreSQL schema holding the jobs table (created at init). Default "errand". */
  schema?: string;
};

/** Durable jobs on PostgreSQL: many instances share one schema; claims use FOR UPDATE SKIP LOCKED. */
export class PostgresJobStore implements JobStore<PostgresTx> {
  readonly schema: string;
  readonly #ctx: StoreContext;
  readonly #connections: Connections;
  #initialized: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.schema = checkSchemaName(options.schema ?? "errand");
    const connections = openConnections(options);
    this.#connections = connections;
    const channel = wakeChannel(this.schema);
    this.#ctx = {
      db: connections.db,
      transition: connections.transition,
      notify: coalescedNotify(() => connections.notifyOn`select pg_notify(${channel}, '')`),
      schema: this.schema,
      jobs: identifier(this.schema, "jobs"),
      channel,
    };
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

  enqueue(jobs: readonly NewJob[], options: EnqueueOptions<PostgresTx>): Promise<EnqueuedJob[]> {
    return enqueue(this.#ctx, jobs, options.now, options.tx);
  }

  claim(options: ClaimOptions): Promise<ClaimedJob[]> {
    return claim(this.#ctx, options);
  }

  complete(ids: readonly string[], options: WorkerOptions): Promise<number> {
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

  /** Ends the pools the store opened; a client the app passed in stays open. */
  close(): Promise<void> {
    return this.#connections.end();
  }
}

/** `postgresStore({ url })`, `postgresStore({ pool })` or `postgresStore({ db })`, with an optional `schema`. */
export function postgresStore(options: PostgresStoreOptions): PostgresJobStore {
  return new PostgresJobStore(options);
}
