import type { JobCount, JobPage, JobRecord, ListOptions } from "../../../jobs/store.ts";
import type { StoreContext } from "../context.ts";
import { isJobId, type JobRow, toRecord } from "./rows.ts";

const maxPage = 1000;

export async function get(ctx: StoreContext, id: string): Promise<JobRecord | null> {
  if (!isJobId(id)) return null;
  const [row] = await ctx.sql<JobRow[]>`select * from ${ctx.jobs} where id = ${id}::bigint`;
  return row ? toRecord(row) : null;
}

/** Newest first; the cursor is the last id of the page, so pages stay stable while jobs are added. */
export async function list(ctx: StoreContext, o: ListOptions): Promise<JobPage> {
  const limit = Math.max(1, Math.min(o.limit, maxPage));
  const q = ctx.sql;
  const rows = await q<JobRow[]>`
    select * from ${ctx.jobs}
    where true
      ${o.state ? q`and state = ${o.state}` : q``}
      ${o.name ? q`and name = ${o.name}` : q``}
      ${o.cursor && isJobId(o.cursor) ? q`and id < ${o.cursor}::bigint` : q``}
    order by id desc
    limit ${limit + 1}::int`;
  const page = rows.slice(0, limit).map(toRecord);
  return { jobs: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
}

export async function counts(ctx: StoreContext): Promise<JobCount[]> {
  return ctx.sql<JobCount[]>`
    select name, state, count(*)::int as count from ${ctx.jobs} group by name, state order by name, state`;
}
