// The JobStore on bun:sqlite. Every operation is a prepared statement on one connection; bun:sqlite is
// synchronous, so each call is atomic within the process and the async methods only wrap the result.
import { Database } from "bun:sqlite";
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
import { prepareWorkflows, type SqliteWorkflows } from "./sql/workflows.ts";

/**
 * `path`: the store opens the file (creating it and its directory) and closes it at close().
 * `database`: the app's open connection, shared so that jobs can be enqueued in its transactions.
 */
export type SqliteStoreOptions = { path: string } | { database: Database };

export class SqliteJobStore implements SyncJobStore<SqliteTx> {
  /** The connection; share it with the app's drizzle instance to enqueue inside its transactions. */
  readonly database: Database;
  readonly #ownsDatabase: boolean;
  #closed = false;
  readonly #enqueue: SqliteEnqueue;
  readonly #coalescer: EnqueueCoalescer;
  readonly #claim: (options: ClaimOptions) => ClaimedJob[];
  readonly #complete: (ids: readonly string[], options: CompleteOptions) => number;
  readonly #fail: (failures: readonly JobFailure[], options: WorkerOptions) => number;
  readonly #renew: (ids: readonly string[], options: RenewOptions) => string[];
  readonly #release: (ids: readonly string[], options: WorkerOptions) => number;
  readonly #recover: (options: RecoverOptions) => number;
  readonly #admin: SqliteAdmin;
  readonly #control: SqliteControl;
  readonly #stats: (options: StatsOptions) => JobStats;
  readonly #workflows: SqliteWorkflows;

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
    this.#workflows = prepareWorkflows(db);
    guardClosed(this, () => this.#closed);
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

  async complete(ids: readonly string[], options: CompleteOptions): Promise<number> {
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

  async cancel(id: string, { now }: { now: number }): Promise<CancelledJob | null> {
    return this.#admin.cancel(id, now);
  }

  /** Polled by workers for the jobs they run: SQLite has no way to push a cancel to other processes. */
  async cancelled(ids: readonly string[]): Promise<string[]> {
    return this.#admin.cancelled(ids);
  }

  async progress(id: string, progress: string, { workerId }: WorkerOptions): Promise<boolean> {
    return this.#admin.progress(id, progress, workerId);
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

  async enqueueGraph(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    { now, tx, flow }: GraphOptions<SqliteTx>,
  ): Promise<EnqueuedGraphJob[]> {
    return this.#workflows.enqueueGraph(jobs, dependencies, { now, tx, flow });
  }

  /** Synchronous, for the caller's synchronous transaction (see enqueueSync). */
  enqueueGraphSync(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    { now, tx, flow }: GraphOptions<SqliteTx>,
  ): EnqueuedGraphJob[] {
    return this.#workflows.enqueueGraph(jobs, dependencies, { now, tx, flow });
  }

  async settleDependencies({ now }: { now: number }): Promise<{ settled: number; waiting: number }> {
    return this.#workflows.settle(now);
  }

  async dependencies(id: string, kind: DependencyKind): Promise<JobRecord[]> {
    return this.#workflows.dependencies(id, kind);
  }

  async steps(id: string): Promise<StoredStep[]> {
    return this.#workflows.steps(id);
  }

  async saveStep(id: string, step: StoredStep, options: WorkerOptions & { clearWait?: boolean }): Promise<boolean> {
    return this.#workflows.saveStep(id, step, options);
  }

  async suspend(suspensions: readonly Suspension[], options: WorkerOptions): Promise<number> {
    return this.#workflows.suspend(suspensions, options);
  }

  async sendEvent(event: string, data: unknown, { now }: { now: number }): Promise<number> {
    return this.#workflows.sendEvent(event, data, now);
  }

  async findEvents(event: string, options: FindEventsOptions): Promise<StoredEvent[]> {
    return this.#workflows.findEvents(event, options);
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

  /**
   * Closes the file the store opened (a `database` the app passed in stays open: it is the app's). Every
   * later call fails with StoreClosedError. Twice is fine.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
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
