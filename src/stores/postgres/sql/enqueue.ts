// Enqueue: the whole batch in one statement, on the store's pool or through the caller's transaction.
import type { sql as drizzleSqlTag } from "drizzle-orm";
import type { EnqueuedJob, JobState, NewJob } from "../../../jobs/store.ts";
import { keyedOutcome } from "../../common.ts";
import type { PostgresTx, StoreContext } from "../context.ts";
import { KeyConflictError } from "../errors.ts";
import { type Fragment, flatten, sql } from "../template.ts";

interface Inserted {
  ord: number;
  id: string | null;
  created: boolean;
  /** The existing job a key matched (created false): what the dedupe window rules look at. */
  existing_state: JobState | null;
  existing_attempts: number | null;
  existing_key_expires_at: string | null;
}

type DrizzleSql = typeof drizzleSqlTag;
let drizzleSql: Promise<DrizzleSql> | undefined;

/**
 * drizzle's `sql` builder, loaded on the first enqueue inside a caller's drizzle transaction, where
 * drizzle is installed by definition; a store used without drizzle never loads it.
 */
function loadDrizzleSql(): Promise<DrizzleSql> {
  drizzleSql ??= import("drizzle-orm").then((module) => module.sql);
  return drizzleSql;
}

/**
 * One statement for the whole batch. Ids are drawn from the sequence before the insert so each input
 * row knows its id whether or not it was inserted; `on conflict do nothing` skips keys that already
 * exist, whose ids the same statement reads back. Repeats of a key inside the batch never reach the
 * database: they take the id of the key's first row (a debounced repeat moves that row's payload and
 * start). A matched key whose dedupe window closed, or a debounced key whose job has not started,
 * takes a second step (windows, below); enqueues without them keep the one statement.
 *
 * On the store's own connection the statement is prepared and the NOTIFY is sent after it commits
 * (ctx.notify, coalesced, off the caller's path). Inside the caller's transaction it runs through
 * drizzle and NOTIFYs within the transaction, so the wake-up is delivered only on commit.
 */
export async function enqueue(
  ctx: StoreContext,
  jobs: readonly NewJob[],
  now: number,
  tx?: PostgresTx,
): Promise<EnqueuedJob[]> {
  if (jobs.length === 0) return [];
  const firstOfKey = new Map<string, number>();
  const unique: NewJob[] = [];
  const ords: number[] = [];
  jobs.forEach((job, index) => {
    if (job.key !== null && firstOfKey.has(job.key)) {
      // As if enqueued right after the first: a debounced repeat replaces its payload and start.
      if (job.debounce) {
        const at = ords.indexOf(firstOfKey.get(job.key)!);
        unique[at] = { ...unique[at]!, payload: job.payload, runAt: job.runAt, debounce: true };
      }
      return;
    }
    if (job.key !== null) firstOfKey.set(job.key, index);
    unique.push(job);
    ords.push(index);
  });
  const input = toInput(unique, ords, tx);
  const rows = tx ? await insertInTransaction(tx, ctx, input, now) : await insertOnPool(ctx, input, now);
  // Jobs this process claimed as it stored them need no other instance woken.
  if (!tx && jobs.some((job) => job.runAt <= now && !job.claimBy)) ctx.notify();
  const byIndex = new Map<number, EnqueuedJob>();
  for (const row of rows) if (row.id !== null) byIndex.set(row.ord, { id: row.id, created: row.created });
  const windowed = rows.filter((row) => row.id !== null && !row.created && windowOutcome(row, unique, ords, now));
  for (const row of windowed)
    byIndex.set(row.ord, await applyWindow(ctx, tx, row, unique[ords.indexOf(row.ord)]!, now));
  const missing = rows.filter((row) => row.id === null).map((row) => jobs[row.ord]!.key!);
  if (missing.length > 0) await resolveRacedKeys(ctx, tx, jobs, missing, byIndex);
  return jobs.map((job, index) => {
    const own = byIndex.get(index);
    if (own) return own;
    return { id: byIndex.get(firstOfKey.get(job.key!)!)!.id, created: false };
  });
}

/** The dedupe window rule for a matched key, or null when the existing job is simply returned. */
function windowOutcome(row: Inserted, unique: readonly NewJob[], ords: readonly number[], now: number) {
  if (row.existing_state === null) return null;
  const outcome = keyedOutcome(
    {
      state: row.existing_state,
      attempts: row.existing_attempts ?? 0,
      keyExpiresAt: row.existing_key_expires_at === null ? null : Number(row.existing_key_expires_at),
    },
    unique[ords.indexOf(row.ord)]!,
    now,
  );
  return outcome === "existing" ? null : outcome;
}

/**
 * A debounce moves the unstarted job (if a worker claimed it meanwhile, that is a started job); a
 * closed window or a started debounced job releases the key from the old row, then the job is
 * enqueued again. Two statements on the pool (a concurrent enqueue of the key in between is resolved
 * as any key race is), one transaction with the caller's tx.
 */
async function applyWindow(
  ctx: StoreContext,
  tx: PostgresTx | undefined,
  row: Inserted,
  job: NewJob,
  now: number,
): Promise<EnqueuedJob> {
  const run = <R>(statement: Fragment) => (tx ? runInTransaction<R>(tx, statement) : ctx.db<R>`${statement}`);
  const id = row.id!;
  if (windowOutcome(row, [job], [row.ord], now) === "debounce") {
    const moved = await run<{ id: string }>(sql`
      update ${ctx.jobs} set payload = ${JSON.stringify(job.payload ?? null)}::text::json, run_at = ${job.runAt}::bigint,
        state = case when ${job.runAt}::bigint > ${now}::bigint then 'scheduled' else 'ready' end,
        key_expires_at = coalesce(${job.key !== null && job.keyTtlMs != null ? now + job.keyTtlMs : null}::bigint, key_expires_at)
      where id = ${id}::bigint and state in ('scheduled', 'ready') and attempts = 0
      returning id::text as id`);
    if (moved.length === 1) {
      if (!tx && job.runAt <= now) ctx.notify();
      return { id, created: false };
    }
  }
  await run(sql`update ${ctx.jobs} set key = null where id = ${id}::bigint and key = ${job.key}`);
  const [again] = await enqueue(ctx, [{ ...job, debounce: false }], now, tx);
  return again!;
}

/** `claim_by` is honoured only on the store's own connection (see NewJob.claimBy). */
export function toInput(jobs: readonly NewJob[], ords: readonly number[], tx: PostgresTx | undefined): string {
  return JSON.stringify(
    jobs.map((job, k) => ({
      ord: ords[k],
      name: job.name,
      queue: job.queue,
      payload: job.payload ?? null,
      priority: job.priority,
      run_at: job.runAt,
      max_attempts: job.maxAttempts,
      key: job.key,
      key_expires_at: job.key !== null && job.keyTtlMs != null ? job.keyTtlMs : null,
      trace_context: job.traceContext ?? null,
      claim_by: tx ? null : (job.claimBy?.workerId ?? null),
      lease_until: tx ? null : (job.claimBy?.leaseExpiresAt ?? null),
      // Absent (not null) when unset: an unlimited job's input stays as short as it was.
      group_key: job.groupKey ?? undefined,
      rate_key: job.rateKey ?? undefined,
    })),
  );
}

async function insertInTransaction(tx: PostgresTx, ctx: StoreContext, input: string, now: number) {
  return runInTransaction<Inserted>(tx, insertStatement(ctx, input, now, true));
}

function insertOnPool(ctx: StoreContext, input: string, now: number): Promise<Inserted[]> {
  return ctx.db<Inserted>`${insertStatement(ctx, input, now, false)}`;
}

/** The same statement on both paths; `notify` sends the wake-up from inside it (the caller's transaction). */
function insertStatement(ctx: StoreContext, input: string, now: number, notify: boolean): Fragment {
  const table = ctx.jobs;
  return sql`
    with ${insertedJobs(ctx, input, now)}
    select i.ord, coalesce(ins.id, existing.id)::text as id, ins.id is not null as created,
      existing.state as existing_state, existing.attempts as existing_attempts,
      existing.key_expires_at::text as existing_key_expires_at,
      (select count(*) from (
        select pg_notify(${ctx.channel}, '') from inserted where ${notify}::boolean and run_at <= ${now}::bigint limit 1
      ) due) as woke
    from input i
    left join inserted ins on ins.id = i.id
    left join ${table} existing on ins.id is null and existing.key = i.key
  `;
}

/**
 * The `input` and `inserted` CTEs of every job insert (this file's and the flow graph's in workflows.ts),
 * so both store the same columns: `input` holds toInput()'s rows with their ids drawn from the sequence,
 * `inserted` the rows stored (a job whose key exists is not; see `on conflict`).
 */
export function insertedJobs(ctx: StoreContext, input: string, now: number): Fragment {
  return sql`${jobInput(ctx, input)},
    inserted as (${insertJobs(ctx, sql`true`, now)})`;
}

/** The `input` CTE: toInput()'s rows with their ids drawn from the sequence. */
export function jobInput(ctx: StoreContext, input: string): Fragment {
  return sql`input as (
      select nextval(${`"${ctx.schema}"."jobs_id_seq"`}::regclass) as id, x.*
      from json_to_recordset(${input}::text::json)
        as x(ord int, name text, queue text, payload json, priority int, run_at bigint, max_attempts int, key text,
          key_expires_at bigint, trace_context text, claim_by text, lease_until bigint, group_key text, rate_key text)
    )`;
}

/** Inserts the `input` rows that match `where`; a job whose key exists is not inserted (see `on conflict`). */
export function insertJobs(ctx: StoreContext, where: Fragment, now: number): Fragment {
  return sql`insert into ${ctx.jobs} (id, name, queue, state, payload, priority, max_attempts, key, run_at, enqueued_at,
                            key_expires_at, trace_context, attempts, locked_by, lease_expires_at, group_key, rate_key)
      select id, name, queue,
             case when claim_by is not null then 'running' when run_at > ${now}::bigint then 'scheduled' else 'ready' end,
             coalesce(payload, 'null'::json), priority, max_attempts, key, run_at, ${now}::bigint,
             ${now}::bigint + key_expires_at, trace_context,
             case when claim_by is not null then 1 else 0 end, claim_by, lease_until, group_key, rate_key
      from input where ${where} order by ord
      on conflict (key) where key is not null do nothing
      returning id, run_at`;
}

/**
 * Runs a fragment through the caller's drizzle transaction, as drizzle's own `sql` (which takes the
 * same text pieces and parameters). node-postgres answers `execute` with `{ rows }`, postgres-js and
 * bun-sql with the rows themselves.
 */
export async function runInTransaction<R>(tx: PostgresTx, fragment: Fragment): Promise<R[]> {
  const drizzleSql = await loadDrizzleSql();
  const { strings, values } = flatten(fragment);
  const result = await tx.execute(drizzleSql(Object.assign(strings, { raw: strings }), ...values));
  return (Array.isArray(result) ? result : (result as { rows: R[] }).rows) as R[];
}

/**
 * A key inserted by a transaction that committed after this statement's snapshot was skipped by
 * `on conflict` but is invisible to the statement; a fresh statement sees it (at READ COMMITTED).
 */
async function resolveRacedKeys(
  ctx: StoreContext,
  tx: PostgresTx | undefined,
  jobs: readonly NewJob[],
  keys: readonly string[],
  byIndex: Map<number, EnqueuedJob>,
): Promise<void> {
  const found = await findKeys(ctx, tx, JSON.stringify(keys));
  const idOfKey = new Map(found.map((row) => [row.key, row.id]));
  const unresolved = keys.filter((key) => !idOfKey.has(key));
  if (unresolved.length > 0) throw new KeyConflictError(unresolved);
  jobs.forEach((job, index) => {
    const id = job.key === null ? undefined : idOfKey.get(job.key);
    if (id !== undefined && !byIndex.has(index)) byIndex.set(index, { id, created: false });
  });
}

type KeyRow = { id: string; key: string };

async function findKeys(ctx: StoreContext, tx: PostgresTx | undefined, keysJson: string): Promise<KeyRow[]> {
  const statement = sql`
    select id::text as id, key from ${ctx.jobs} where key in (select jsonb_array_elements_text(${keysJson}::text::jsonb))`;
  return tx ? runInTransaction<KeyRow>(tx, statement) : ctx.db<KeyRow>`${statement}`;
}
