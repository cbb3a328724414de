import { type JobRecord, type JobState, jobStates } from "../../jobs/index.ts";
import { count, when } from "../format.ts";
import { type Html, html } from "../html.ts";
import { action, badge, layout, notice, type PageContext } from "./layout.ts";

export interface JobsQuery {
  state?: JobState;
  name?: string;
  queue?: string;
  /** An id or an idempotency key. */
  q?: string;
  order: "newest" | "oldest";
  cursor?: string;
  /** The page number shown (cursor paging has no offsets; it only labels the page). */
  page: number;
  limit: number;
}

/** The filters and search in a query string, without paging. */
export function filterParams(query: JobsQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.state) params.set("state", query.state);
  if (query.name) params.set("name", query.name);
  if (query.queue) params.set("queue", query.queue);
  if (query.q) params.set("q", query.q);
  if (query.order !== "newest") params.set("order", query.order);
  if (query.limit !== defaultLimit) params.set("limit", String(query.limit));
  return params;
}

export const defaultLimit = 50;

/** Retry applies to these (cancelled: once the control features add it). */
const retryableStates: ReadonlySet<string> = new Set(["failed", "dead", "cancelled"]);

export function jobsHref(base: string, query: JobsQuery, more: Record<string, string> = {}): string {
  const params = filterParams(query);
  for (const [k, v] of Object.entries(more)) params.set(k, v);
  const text = params.toString();
  return `${base}/jobs${text ? `?${text}` : ""}`;
}

export interface JobsPageData {
  query: JobsQuery;
  jobs: JobRecord[];
  nextCursor: string | null;
  names: string[];
  queues: string[];
  /** How many jobs a bulk action on the current filter would touch (only for dead and failed). */
  bulkCount: number | null;
  notice: { code: string | null; n: string | null };
}

export function jobsPage(ctx: PageContext, data: JobsPageData): Html {
  const { query } = data;
  const here = jobsHref(ctx.base, query, query.cursor ? { cursor: query.cursor, page: String(query.page) } : {});
  const option = (value: string, current: string | undefined, label = value) =>
    html`<option value="${value}"${value === (current ?? "") ? html` selected` : ""}>${label}</option>`;
  const filters = html`<form class="filters" method="get" action="${ctx.base}/jobs" id="filters">
<label>State<select name="state">${option("", query.state, "any")}${jobStates.map((s) => option(s, query.state))}</select></label>
<label>Name<select name="name">${option("", query.name, "any")}${withCurrent(data.names, query.name).map((n) => option(n, query.name))}</select></label>
<label>Queue<select name="queue">${option("", query.queue, "any")}${withCurrent(data.queues, query.queue).map((q) => option(q, query.queue))}</select></label>
<label>Search<input type="search" name="q" value="${query.q ?? ""}" placeholder="job id or key" maxlength="500"></label>
<label>Sort<select name="order">${option("newest", query.order, "newest first")}${option("oldest", query.order, "oldest first")}</select></label>
<button type="submit" class="primary">Filter</button> <a class="button" href="${ctx.base}/jobs">Clear</a>
</form>`;
  const title = query.state ? `${query.state[0]!.toUpperCase()}${query.state.slice(1)} jobs` : "Jobs";
  const main = html`<h1>${title}${query.name ? html` <span class="mono">${query.name}</span>` : ""}</h1>
${notice(data.notice.code, data.notice.n)}
${filters}
${bulkPanel(ctx, data, here)}
<section class="panel flush" id="jobs-table" data-live>${jobsTable(ctx, data.jobs, here)}${pager(ctx, data)}</section>`;
  return layout(ctx, "jobs", title, main);
}

function withCurrent(values: string[], current: string | undefined): string[] {
  return current === undefined || values.includes(current) ? values : [...values, current].sort();
}

function bulkPanel(ctx: PageContext, data: JobsPageData, back: string): Html {
  const { query, bulkCount } = data;
  if (bulkCount === null || !query.state) return html``;
  const what = `${query.state} jobs${query.name ? ` named ${query.name}` : ""}${query.queue ? ` in queue ${query.queue}` : ""}`;
  const fields = { state: query.state, name: query.name, queue: query.queue };
  return html`<div class="panel actions" id="bulk"><span><strong>${count(bulkCount)}</strong> ${what}${bulkCount >= bulkLimit ? " (at least)" : ""}</span>
${action(ctx, "/jobs/bulk/retry", `Retry all`, { back, fields, style: "primary", confirm: `Retry every one of the ${what}?` })}
${action(ctx, "/jobs/bulk/discard", `Discard all`, { back, fields, style: "danger", confirm: `Delete every one of the ${what}? This cannot be undone.` })}</div>`;
}

/** A bulk action touches at most this many jobs per click (the rest stays for the next one). */
export const bulkLimit = 10_000;

export function jobsTable(ctx: PageContext, jobs: readonly JobRecord[], back: string): Html {
  if (jobs.length === 0) return html`<p class="empty" id="no-jobs">No jobs match.</p>`;
  return html`<table id="jobs"><thead><tr><th>ID</th><th>Name</th><th>Queue</th><th>Payload</th><th>State</th><th class="num">Attempts</th><th>Enqueued</th><th>Due / finished</th><th>Last error</th><th></th></tr></thead><tbody>${jobs.map(
    (job) => jobRow(ctx, job, back),
  )}</tbody></table>`;
}

function jobRow(ctx: PageContext, job: JobRecord, back: string): Html {
  const last = job.errors.at(-1);
  const retryable = retryableStates.has(job.state);
  return html`<tr data-job-id="${job.id}" data-state="${job.state}"><td class="mono"><a href="${ctx.base}/jobs/${job.id}">${job.id}</a></td>
<td>${job.name}</td><td>${job.queue}</td><td><div class="payload mono" title="${preview(job.payload, 2000)}">${preview(job.payload, 80)}</div></td><td>${badge(job.state)}</td><td class="num">${job.attempts}/${job.maxAttempts}</td>
<td class="t">${when(job.enqueuedAt, ctx.now)}</td><td class="t">${when(job.finishedAt ?? job.runAt, ctx.now)}</td>
<td>${last ? html`<div class="err" title="${last.name}: ${last.message}">${last.name}: ${last.message}</div>` : ""}</td>
<td class="nowrap">${retryable ? action(ctx, `/jobs/${job.id}/retry`, "Retry", { back }) : ""}</td></tr>`;
}

/** The payload as one line of JSON, cut at `max` characters (the job page shows all of it). */
function preview(payload: unknown, max: number): string {
  const text = JSON.stringify(payload) ?? "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function pager(ctx: PageContext, data: JobsPageData): Html {
  const { query, nextCursor, jobs } = data;
  if (jobs.length === 0 && query.page === 1) return html``;
  const from = (query.page - 1) * query.limit + 1;
  return html`<div class="pager" id="pager"><span>Page ${query.page} · jobs ${count(from)}–${count(from + jobs.length - 1)}</span>
${query.page > 1 ? html`<a href="${jobsHref(ctx.base, query)}" rel="first">First page</a>` : ""}
${nextCursor ? html`<a href="${jobsHref(ctx.base, query, { cursor: nextCursor, page: String(query.page + 1) })}" rel="next" id="next-page">Next page →</a>` : ""}</div>`;
}
