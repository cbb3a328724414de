// Enqueue: one prepared INSERT per job inside one transaction (SQLite's cheapest bulk insert: one
// commit, no per-batch statement compilation). A key conflict inserts nothing and the existing job
// is looked up, so a repeated key — also within one batch — returns the first job, unless the dedupe
// window rules (keyedOutcome in ../../common.ts) say to debounce it or to release its key and insert.
import type { Database } from "bun:sqlite";
import type { EnqueuedJob, JobState, NewJob } from "../../../jobs/store.ts";
import { keyedOutcome } from "../../common.ts";

/**
 * What enqueue needs from a caller's transaction: drizzle's bun-sqlite database or transaction (its
 * `all(query: SQLWrapper | string)`). Only the SQL-text form is used, so the store needs no drizzle
 * at run time: drizzle's `sql` builder would be the only reason to import it.
 */
export interface SqliteTx {
  all<T = unknown>(query: string): T[];
}

/** Above every id that exists or ever existed (schema.ts explains why not AUTOINCREMENT). */
const nextIdSql = `max(coalesce((SELECT max(id) FROM errand_jobs), 0), coalesce((SELECT floor FROM errand_jobs_id_floor WHERE id = 1), 0)) + 1`;

const insertSql = `INSERT INTO errand_jobs (id, name, queue, payload, state, priority, run_at, max_attempts, key, enqueued_at, key_expires_at, trace_context, group_key, rate_key)
  VALUES (${nextIdSql}, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING RETURNING id`;
const byKeySql = "SELECT id, state, attempts, key_expires_at FROM errand_jobs WHERE key = ?1";
// A debounced enqueue of a job that has not started: new payload and start, same id.
const debounceSql = `UPDATE errand_jobs SET payload = ?3, state = ?4, run_at = ?6, key_expires_at = coalesce(?10, key_expires_at)
  WHERE id = ?14`;
// The key's window closed (or a debounced job started): the old row stays, without its key.
const releaseKeySql = "UPDATE errand_jobs SET key = NULL WHERE id = ?1";

export type Value = string | number | null;

type Row = { id: number };
type KeyRow = { id: number; state: JobState; attempts: number; key_expires_at: number | null };
type InsertParams = [
  string,
  string,
  string,
  string,
  number,
  number,
  number,
  string | null,
  number,
  number | null,
  string | null,
  string | null,
  string | null,
];

function insertParams(job: NewJob, now: number): InsertParams {
  const state = job.runAt > now ? "scheduled" : "ready";
  const payload = JSON.stringify(job.payload) ?? "null";
  const keyExpiresAt = job.key !== null && job.keyTtlMs != null ? now + job.keyTtlMs : null;
  const traceContext = job.traceContext ?? null;
  const { groupKey = null, rateKey = null } = job;
  return [
    job.name,
    job.queue,
    payload,
    state,
    job.priority,
    job.runAt,
    job.maxAttempts,
    job.key,
    now,
    keyExpiresAt,
    traceContext,
    groupKey,
    rateKey,
  ];
}

/** The statements one keyed insert may need, on the store's connection or through the caller's tx. */
interface KeyedSteps {
  insert(params: InsertParams): Row | undefined;
  byKey(key: string): KeyRow;
  debounce(params: InsertParams, id: number): void;
  releaseKey(id: number): void;
}

function insertKeyed(steps: KeyedSteps, job: NewJob, now: number): EnqueuedJob {
  const params = insertParams(job, now);
  const inserted = steps.insert(params);
  if (inserted) return { id: String(inserted.id), created: true };
  const existing = steps.byKey(job.key!);
  const outcome = keyedOutcome(
    { keyExpiresAt: existing.key_expires_at, state: existing.state, attempts: existing.attempts },
    job,
    now,
  );
  if (outcome === "existing") return { id: String(existing.id), created: false };
  if (outcome === "debounce") {
    steps.debounce(params, existing.id);
    return { id: String(existing.id), created: false };
  }
  steps.releaseKey(existing.id);
  return { id: String(steps.insert(params)!.id), created: true };
}

export interface SqliteEnqueue {
  /** One call's jobs: a lone job autocommits, several share a transaction. */
  one(jobs: readonly NewJob[], now: number): EnqueuedJob[];
  /** Several calls' jobs in one transaction; results per call. */
  many(batches: readonly { jobs: readonly NewJob[]; now: number }[]): EnqueuedJob[][];
}

export function prepareEnqueue(db: Database): SqliteEnqueue {
  const insert = db.prepare<Row, InsertParams>(insertSql);
  const byKey = db.prepare<KeyRow, [string]>(byKeySql);
  const debounce = db.prepare<never, [...InsertParams, number]>(debounceSql);
  const releaseKey = db.prepare<never, [number]>(releaseKeySql);
  const steps: KeyedSteps = {
    insert: (params) => insert.get(...params) ?? undefined,
    byKey: (key) => byKey.get(key)!,
    debounce: (params, id) => void debounce.run(...params, id),
    releaseKey: (id) => void releaseKey.run(id),
  };
  const insertOne = (job: NewJob, now: number): EnqueuedJob => {
    if (job.key === null) return { id: String(insert.get(...insertParams(job, now))!.id), created: true };
    return insertKeyed(steps, job, now);
  };
  const insertMany = db.transaction((jobs: readonly NewJob[], now: number) => jobs.map((job) => insertOne(job, now)));
  const insertBatches = db.transaction((batches: readonly { jobs: readonly NewJob[]; now: number }[]) =>
    batches.map(({ jobs, now }) => jobs.map((job) => insertOne(job, now))),
  );
  return {
    one: (jobs, now) => {
      if (jobs.length === 0) return [];
      // A lone insert is atomic on its own; skipping BEGIN/COMMIT saves two statements per job. A
      // keyed one may need up to three statements (release, insert), which must not be split.
      if (jobs.length === 1 && jobs[0]!.key === null) return [insertOne(jobs[0]!, now)];
      return insertMany(jobs, now);
    },
    many: (batches) => insertBatches(batches),
  };
}

/**
 * The same statements through the caller's transaction, so the job commits or rolls back with it.
 * drizzle binds parameters only through its `sql` builder, which the store does not import; the
 * SQL-text form takes none, so the values travel as SQL literals (see `literal`).
 */
export function enqueueInTransaction(tx: SqliteTx, jobs: readonly NewJob[], now: number): EnqueuedJob[] {
  const steps: KeyedSteps = {
    insert: (params) => tx.all<Row>(inline(insertSql, params))[0],
    byKey: (key) => tx.all<KeyRow>(inline(byKeySql, [key]))[0]!,
    debounce: (params, id) => void tx.all(inline(debounceSql, [...params, id])),
    releaseKey: (id) => void tx.all(inline(releaseKeySql, [id])),
  };
  return jobs.map((job) => insertKeyed(steps, job, now));
}

/** Replaces ?1, ?2, … in `text` (our own statements: no other `?` occurs) by the values as literals. */
export function inline(text: string, values: readonly Value[]): string {
  return text.replace(/\?([1-9][0-9]*)/g, (_, n: string) => literal(values[Number(n) - 1] ?? null));
}

/**
 * An SQLite literal with the value bun:sqlite would bind. SQLite string literals have no escape
 * sequences, so doubling `'` is the whole quoting; NUL cannot appear inside one (it ends the token),
 * so it is spliced in with char(0). NaN binds as NULL; 9e999 is SQLite's spelling of infinity.
 */
function literal(value: Value): string {
  if (value === null || Number.isNaN(value)) return "NULL";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : value > 0 ? "9e999" : "-9e999";
  return value
    .split("\0")
    .map((part) => `'${part.replaceAll("'", "''")}'`)
    .join(" || char(0) || ");
}
