import { fileURLToPath } from "node:url";
import type { Sql } from "postgres";
import type {
  ClaimedJob,
  ClaimOptions,
  EnqueuedJob,
  EnqueueOptions,
  JobCount,
  JobFailure,
  JobPage,
  JobRecord,
  JobStore,
  ListOptions,
  NewJob,
  PruneOptions,
  RecoverOptions,
  RenewOptions,
  Subscription,
  WorkerOptions,
} from "../../jobs/store.ts";
import { openConnections, type PostgresConnectionOptions } from "./connections.ts";
import type { PostgresTx, StoreContext } from "./context.ts";
import { applyMigrations } from "./migrate.ts";
import { coalescedNotify } from "./notifier.ts";
import { claim } from "./ops/claim.ts";
import { complete } from "./ops/complete.ts";
import { discard } from "./ops/discard.ts";
import { enqueue } from "./ops/enqueue.ts";
import { fail } from "./ops/fail.ts";
import { prune } from "./ops/prune.ts";
import { counts, get, list } from "./ops/read.ts";
import { recoverExpired } from "./ops/recover.ts";
import { release } from "./ops/release.ts";
import { renew } from "./ops/renew.ts";
import { retry } from "./ops/retry.ts";
import { subscribe } from "./ops/subscribe.ts";
import { checkSchemaName, wakeChannel } from "./schema-name.ts";

interface CommonOptions {
  /** The PostgreSQL schema holding the jobs table (created at init). Default "errand". */
  schema?: string;
  /** drizzle-kit's output folder; default: drizzle/postgres of this package. */
  migrationsFolder?: string;
}

export type PostgresStoreOptions = CommonOptions & PostgresConnectionOptions;

const defaultMigrations = fileURLToPath(new URL("../../../drizzle/postgres", import.meta.url));

/** Durable jobs on PostgreSQL: many instances share one schema; claims use FOR UPDATE SKIP LOCKED. */
export class PostgresJobStore implements JobStore<PostgresTx> {
  readonly schema: string;
  readonly #ctx: StoreContext;
  /** Set when the store opened its own pools (url): it ends them at close. */
  readonly #ownPools: Sql[];
  readonly #migrationsFolder: string;
  #initialized: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.schema = checkSchemaName(options.schema ?? "errand");
    const { sql, db, transition, notifyOn, owned } = openConnections(options);
    this.#migrationsFolder = options.migrationsFolder ?? defaultMigrations;
    this.#ownPools = owned;
    const channel = wakeChannel(this.schema);
    this.#ctx = {
      sql,
      db,
      transition,
      notify: coalescedNotify(() => notifyOn`select pg_notify(${channel}, '')`.execute()),
      schema: this.schema,
      jobs: sql(`${this.schema}.jobs`),
      channel,
    };
  }

  /** The postgres-js client the store runs on (the app's, when it passed one). */
  get sql(): Sql {
    return this.#ctx.sql;
  }

  init(): Promise<void> {
    this.#initialized ??= applyMigrations(this.#ctx.sql, this.schema, this.#migrationsFolder).catch(
      (error: unknown) => {
        this.#initialized = undefined;
        throw error;
      },
    );
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

  get(id: string): Promise<JobRecord | null> {
    return get(this.#ctx, id);
  }

  list(options: ListOptions): Promise<JobPage> {
    return list(this.#ctx, options);
  }

  counts(): Promise<JobCount[]> {
    return counts(this.#ctx);
  }

  prune(options: PruneOptions): Promise<number> {
    return prune(this.#ctx, options);
  }

  subscribe(onWake: () => void): Promise<Subscription> {
    return subscribe(this.#ctx, onWake);
  }

  /** Ends the pools the store opened; a client the app passed in stays open. */
  async close(): Promise<void> {
    await Promise.all(this.#ownPools.map((pool) => pool.end({ timeout: 5 })));
  }
}

/** `postgresStore({ url })`, `postgresStore({ sql })` or `postgresStore({ db })`, with an optional `schema`. */
export function postgresStore(options: PostgresStoreOptions): PostgresJobStore {
  return new PostgresJobStore(options);
}
