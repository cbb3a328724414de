// Enqueue: the whole batch in one statement, on the store's pool or through the caller's transaction.
import type { sql as drizzleSqlTag, SQL } from "drizzle-orm";
import type { EnqueuedJob, NewJob } from "../../../jobs/store.ts";
import type { PendingQuery, PostgresTx, StoreContext } from "../context.ts";
import { KeyConflictError } from "../errors.ts";

interface Inserted {
  ord: number;
  id: string | null;
  created: boolean;
}

/** A tagged-template SQL builder: postgres-js's `sql` or drizzle's `sql`. */
type Tag<Q> = (strings: TemplateStringsArray, ...values: unknown[]) => Q;

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
 * On the store's own connection the statement is a prepared postgres-js query and the NOTIFY is sent
 * after it commits (ctx.notify, coalesced, off the caller's path). Inside the caller's transaction it
 * runs through drizzle and NOTIFYs within the transaction, so the wake-up is delivered only on commit.
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
    })),
  );
}

async function insertInTransaction(tx: PostgresTx, ctx: StoreContext, input: string, now: number) {
  const sql = await loadDrizzleSql();
  const table = sql.raw(`"${ctx.schema}"."jobs"`);
  return (await tx.execute(insertStatement(sql as Tag<SQL>, table, ctx, input, now, true))) as unknown as Inserted[];
}

function insertOnPool(ctx: StoreContext, input: string, now: number): PendingQuery<Inserted[]> {
  return insertStatement(ctx.sql as unknown as Tag<PendingQuery<Inserted[]>>, ctx.jobs, ctx, input, now, false);
}

/** The same SQL for both builders; `table` is an identifier fragment of the builder's own kind. */
function insertStatement<Q>(
  tag: Tag<Q>,
  table: unknown,
  ctx: StoreContext,
  input: string,
  now: number,
  notify: boolean,
): Q {
  return tag`
    with input as (
      select nextval(${`"${ctx.schema}"."jobs_id_seq"`}::regclass) as id, x.*
      from jsonb_to_recordset(${input}::text::jsonb)
        as x(ord int, name text, queue text, payload jsonb, priority int, run_at bigint, max_attempts int, key text)
    ),
    inserted as (
      insert into ${table} (id, name, queue, state, payload, priority, max_attempts, key, run_at, enqueued_at)
      select id, name, queue, case when run_at > ${now}::bigint then 'scheduled' else 'ready' end,
             coalesce(payload, 'null'::jsonb), priority, max_attempts, key, run_at, ${now}::bigint
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
  if (!tx) {
    return ctx.sql<KeyRow[]>`
      select id::text as id, key from ${ctx.jobs} where key in (select jsonb_array_elements_text(${keysJson}::text::jsonb))`;
  }
  const sql = await loadDrizzleSql();
  const rows = await tx.execute(sql`
    select id::text as id, key from ${sql.raw(`"${ctx.schema}"."jobs"`)}
    where key in (select jsonb_array_elements_text(${keysJson}::text::jsonb))`);
  return rows as unknown as KeyRow[];
}
