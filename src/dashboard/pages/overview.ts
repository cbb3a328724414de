import { type JobState, type JobStatsView, jobStates } from "../../jobs/index.ts";
import { throughputChart } from "../chart.ts";
import { count, duration } from "../format.ts";
import { type Html, html } from "../html.ts";
import { layout, type PageContext } from "./layout.ts";

/** Per (queue, name): jobs by state. */
export interface NameRow {
  queue: string;
  name: string;
  byState: Partial<Record<JobState, number>>;
}

export function nameRows(stats: Pick<JobStatsView, "counts">): NameRow[] {
  const rows = new Map<string, NameRow>();
  for (const { queue, name, state, count } of stats.counts) {
    const key = `${queue}\u0000${name}`;
    const row = rows.get(key) ?? { queue, name, byState: {} };
    row.byState[state] = (row.byState[state] ?? 0) + count;
    rows.set(key, row);
  }
  return [...rows.values()];
}

export function overviewPage(ctx: PageContext, stats: JobStatsView): Html {
  const totals = new Map<JobState, number>(jobStates.map((state) => [state, 0]));
  for (const { state, count } of stats.counts) totals.set(state, (totals.get(state) ?? 0) + count);
  const hour = stats.activity.reduce(
    (sum, b) => ({ succeeded: sum.succeeded + b.succeeded, failed: sum.failed + b.failed, dead: sum.dead + b.dead }),
    { succeeded: 0, failed: 0, dead: 0 },
  );
  const oldestDue = Math.min(...stats.due.map((d) => d.oldestRunAt));
  const dueCount = stats.due.reduce((sum, d) => sum + d.count, 0);
  const windowMin = Math.round((stats.activity.length * stats.bucketMs) / 60_000);
  const tiles = [...totals].map(
    ([state, n]) =>
      html`<a class="tile ${state}" href="${ctx.base}/jobs?state=${state}" data-state="${state}"><div class="n">${count(n)}</div><div class="l">${state}</div></a>`,
  );
  const main = html`<h1>Overview</h1>
<section id="overview-live" data-live>
<div class="tiles" id="state-counts">${tiles}</div>
<div class="panel chart"><h2>Throughput, last ${windowMin} minutes</h2>
<div class="summary">
<div><div class="n" id="hour-succeeded">${count(hour.succeeded)}</div><div class="l">succeeded</div></div>
<div><div class="n" id="hour-failed">${count(hour.failed)}</div><div class="l">failed attempts</div></div>
<div><div class="n">${count(hour.dead)}</div><div class="l">died</div></div>
<div><div class="n">${count(dueCount)}</div><div class="l">due, waiting for a worker</div></div>
<div><div class="n" id="oldest-due">${Number.isFinite(oldestDue) ? duration(Math.max(0, stats.now - oldestDue)) : "—"}</div><div class="l">oldest due job waiting</div></div>
</div>
${throughputChart(stats.activity, stats.bucketMs, stats.now)}
<div class="legend"><span><i class="ok"></i>succeeded</span><span><i class="bad"></i>failed attempts</span><span class="muted">per ${stats.bucketMs === 60_000 ? "minute" : duration(stats.bucketMs)}, from every instance sharing the store</span></div>
</div>
<div class="panel flush"><h2>Jobs by name</h2>${namesTable(ctx, nameRows(stats))}</div>
</section>`;
  return layout(ctx, "overview", "Overview", main);
}

function namesTable(ctx: PageContext, rows: NameRow[]): Html {
  if (rows.length === 0) return html`<p class="empty">No jobs yet.</p>`;
  const cell = (row: NameRow, state: JobState) => {
    const n = row.byState[state] ?? 0;
    return n === 0
      ? html`<td class="num zero">0</td>`
      : html`<td class="num"><a href="${ctx.base}/jobs?name=${encodeURIComponent(row.name)}&amp;queue=${encodeURIComponent(row.queue)}&amp;state=${state}">${count(n)}</a></td>`;
  };
  return html`<table id="names"><thead><tr><th>Name</th><th>Queue</th>${jobStates.map(
    (state) => html`<th class="num">${state}</th>`,
  )}</tr></thead><tbody>${rows.map(
    (row) =>
      html`<tr><td><a href="${ctx.base}/jobs?name=${encodeURIComponent(row.name)}">${row.name}</a></td><td><a href="${ctx.base}/jobs?queue=${encodeURIComponent(row.queue)}">${row.queue}</a></td>${jobStates.map(
        (state) => cell(row, state),
      )}</tr>`,
  )}</tbody></table>`;
}
