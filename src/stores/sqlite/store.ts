// The JobStore on bun:sqlite. Every operation is a prepared statement on one connection; bun:sqlite is
// synchronous, so each call is atomic within the process and the async methods only wrap the result.
import { Database } from "bun:sqlite";
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
  ListOptions,
  NewJob,
  Pause,
  PauseTarget,
  PruneOptions,
  RecoverOptions,
  RenewOptions,
  StatsOptions,
  SyncJobStore,
  WorkerOptions,
} from "../../jobs/store.ts";
import { EnqueueCoalescer } from "./coalesce.ts";
import { SqliteStoreConfigError } from "./errors.ts";
import { applyMigrations } from "./migrate.ts";
import { openSqliteDatabase } from "./open.ts";
import { prepareAdmin, type SqliteAdmin } from "./sql/admin.ts";
import { prepareClaim } from "./sql/claim.ts";
import { prepareControl, type SqliteControl } from "./sql/control.ts";
import { enqueueInTransaction, prepareEnqueue, type SqliteEnqueue, type SqliteTx } from "./sql/enqueue.ts";
import { prepareComplete, prepareFail } from "./sql/finish.ts";
import { prepareRecover, prepareRelease, prepareRenew } from "./sql/leases.ts";
import { prepareStats } from "./sql/stats.ts";

/**
 * `path`: the store opens the file (creating it and its directory) and closes it at close().
 * `database`: the app's open connection, shared so that jobs can be enqueued in its transactions.
 */
export type SqliteStoreOptions = { path: string } | { database: Database };

export class SqliteJobStore implements SyncJobStore<SqliteTx> {
  /** The connection; share it with the app's drizzle instance to enqueue inside its transactions. */
  readonly database: Database;
  readonly #ownsDatabase: boolean;
  readonly #enqueue: SqliteEnqueue;
  readonly #coalescer: EnqueueCoalescer;
  readonly #claim: (options: ClaimOptions) => ClaimedJob[];
  readonly #complete: (ids: readonly string[], options: WorkerOptions) => number;
  readonly #fail: (failures: readonly JobFailure[], options: WorkerOptions) => number;
  readonly #renew: (ids: readonly string[], options: RenewOptions) => string[];
  readonly #release: (ids: readonly string[], options: WorkerOptions) => number;
  readonly #recover: (options: RecoverOptions) => number;
  readonly #admin: SqliteAdmin;
  readonly #control: SqliteControl;
  readonly #stats: (options: StatsOptions) => JobStats;

  constructor(options: SqliteStoreOptions) {
    this.#ownsDatabase = "path" in options;
    this.database =
      "path" in options ? openSqliteDatabase(requirePath(options.path)) : requireDatabase(options.database);
    // Synchronous, at construction: enqueueSync must work before the host starts.
    migrateOrClose(this.database, this.#ownsDatabase);
    const db = this.database;
    this.#enqueue = prepareEnqueue(db);
    this.#coalescer = new EnqueueCoalescer(this.#enqueue.many, this.#enqueue.one);
    this.#claim = prepareClaim(db);
    this.#complete = prepareComplete(db);
    this.#fail = prepareFail(db);
    this.#renew = prepareRenew(db);
    this.#release = prepareRelease(db);
    this.#recover = prepareRecover(db);
    this.#admin = prepareAdmin(db);
    this.#control = prepareControl(db);
    this.#stats = prepareStats(db);
  }

  async init(): Promise<void> {}

  enqueueSync(jobs: readonly NewJob[], { now, tx }: EnqueueOptions<SqliteTx>): EnqueuedJob[] {
    return tx ? enqueueInTransaction(tx, jobs, now) : this.#enqueue.one(jobs, now);
  }

  /** Without `tx`, calls made in the same tick share one commit (see coalesce.ts). */
  async enqueue(jobs: readonly NewJob[], options: EnqueueOptions<SqliteTx>): Promise<EnqueuedJob[]> {
    if (options.tx || jobs.length === 0) return this.enqueueSync(jobs, options);
    return this.#coalescer.enqueue(jobs, options.now);
  }

  async claim(options: ClaimOptions): Promise<ClaimedJob[]> {
    return this.#claim(options);
  }

  async complete(ids: readonly string[], options: WorkerOptions): Promise<number> {
    return this.#complete(ids, options);
  }

  async fail(failures: readonly JobFailure[], options: WorkerOptions): Promise<number> {
    return this.#fail(failures, options);
  }

  async renew(ids: readonly string[], options: RenewOptions): Promise<string[]> {
    return this.#renew(ids, options);
  }

  async release(ids: readonly string[], options: WorkerOptions): Promise<number> {
    return this.#release(ids, options);
  }

  async recoverExpired(options: RecoverOptions): Promise<number> {
    return this.#recover(options);
  }

  async retry(id: string, { now }: { now: number }): Promise<boolean> {
    return this.#admin.retry(id, now);
  }

  async discard(id: string): Promise<boolean> {
    return this.#admin.discard(id);
  }

  async runNow(id: string, { now }: { now: number }): Promise<boolean> {
    return this.#admin.runNow(id, now);
  }

  async get(id: string): Promise<JobRecord | null> {
    return this.#admin.get(id);
  }

  async list(options: ListOptions): Promise<JobPage> {
    return this.#admin.list(options);
  }

  async counts(): Promise<JobCount[]> {
    return this.#admin.counts();
  }

  async stats(options: StatsOptions): Promise<JobStats> {
    return this.#stats(options);
  }

  async prune(options: PruneOptions): Promise<number> {
    return this.#admin.prune(options);
  }

  /** Closes the connection if the store opened it; a shared Database stays open for its owner. */
  async pause(target: PauseTarget, { now }: { now: number }): Promise<boolean> {
    return this.#control.pause(target, now);
  }

  async resume(target: PauseTarget): Promise<boolean> {
    return this.#control.resume(target);
  }

  async paused(): Promise<Pause[]> {
    return this.#control.paused();
  }

  async close(): Promise<void> {
    if (this.#ownsDatabase) this.database.close();
  }
}

function migrateOrClose(database: Database, owned: boolean): void {
  try {
    applyMigrations(database);
  } catch (error) {
    if (owned) database.close();
    throw error;
  }
}

function requirePath(path: unknown): string {
  if (typeof path === "string" && path !== "") return path;
  throw new SqliteStoreConfigError(
    `sqliteStore({ path }) needs a file path (or ":memory:"), got ${JSON.stringify(path)}.`,
  );
}

function requireDatabase(database: unknown): Database {
  if (database instanceof Database) return database;
  throw new SqliteStoreConfigError(
    "sqliteStore needs { path: string } or { database: Database } (an open bun:sqlite Database).",
  );
}

/** `sqliteStore({ path })` opens (and migrates) a file; `sqliteStore({ database })` shares the app's connection. */
export function sqliteStore(options: SqliteStoreOptions): SqliteJobStore {
  return new SqliteJobStore(options);
}
