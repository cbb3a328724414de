// Enqueue: the whole batch in one statement, on the store's pool or through the caller's transaction.
import type { sql as drizzleSqlTag } from "drizzle-orm";
import type { EnqueuedJob, NewJob } from "../../../jobs/store.ts";
import type { PostgresTx, StoreContext } from "../context.ts";
import { KeyConflictError } from "../errors.ts";
import { type Fragment, flatten, sql } from "../template.ts";

interface Inserted {
  ord: number;
  id: string | null;
  created: boolean;
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
 * database: they take the id of the key's first row.
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
    if (job.key !== null && firstOfKey.has(job.key)) return;
    if (job.key !== null) firstOfKey.set(job.key, index);
    unique.push(job);
    ords.push(index);
  });
  const input = toInput(unique, ords);
  const rows = tx ? await insertInTransaction(tx, ctx, input, now) : await insertOnPool(ctx, input, now);
  if (!tx && jobs.some((job) => job.runAt <= now)) ctx.notify();
  const byIndex = new Map<number, EnqueuedJob>();
  for (const row of rows) if (row.id !== null) byIndex.set(row.ord, { id: row.id, created: row.created });
  const missing = rows.filter((row) => row.id === null).map((row) => jobs[row.ord]!.key!);
  if (missing.length > 0) await resolveRacedKeys(ctx, tx, jobs, missing, byIndex);
  return jobs.map((job, index) => {
    const own = byIndex.get(index);
    if (own) return own;
    return { id: byIndex.get(firstOfKey.get(job.key!)!)!.id, created: false };
  });
}

function toInput(jobs: readonly NewJob[], ords: readonly number[]): string {
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
    with input as (
      select nextval(${`"${ctx.schema}"."jobs_id_seq"`}::regclass) as id, x.*
      from jsonb_to_recordset(${input}::text::jsonb)
        as x(ord int, name text, queue text, payload jsonb, priority int, run_at bigint, max_attempts int, key text,
          group_key text, rate_key text)
    ),
    inserted as (
      insert into ${table} (id, name, queue, state, payload, priority, max_attempts, key, run_at, enqueued_at, group_key, rate_key)
      select id, name, queue, case when run_at > ${now}::bigint then 'scheduled' else 'ready' end,
             coalesce(payload, 'null'::jsonb), priority, max_attempts, key, run_at, ${now}::bigint, group_key, rate_key
      from input order by ord
      on conflict (key) where key is not null do nothing
      returning id, run_at
    )
    select i.ord, coalesce(ins.id, existing.id)::text as id, ins.id is not null as created,
      (select count(*) from (
        select pg_notify(${ctx.channel}, '') from inserted where ${notify}::boolean and run_at <= ${now}::bigint limit 1
      ) due) as woke
    from input i
    left join inserted ins on ins.id = i.id
    left join ${table} existing on ins.id is null and existing.key = i.key
  `;
}

/**
 * Runs a fragment through the caller's drizzle transaction, as drizzle's own `sql` (which takes the
 * same text pieces and parameters). node-postgres answers `execute` with `{ rows }`, postgres-js and
 * bun-sql with the rows themselves.
 */
async function runInTransaction<R>(tx: PostgresTx, fragment: Fragment): Promise<R[]> {
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
