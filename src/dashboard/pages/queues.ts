import type { JobState, JobStatsView } from "../../jobs/index.ts";
import { count, duration } from "../format.ts";
import { type Html, html } from "../html.ts";
import { layout, type PageContext } from "./layout.ts";
import { nameRows } from "./overview.ts";

const shown: JobState[] = ["scheduled", "ready", "running", "failed", "dead"];

export function queuesPage(ctx: PageContext, stats: JobStatsView): Html {
  const queues = new Map<string, { names: ReturnType<typeof nameRows>; due: number; oldestDue: number }>();
  for (const row of nameRows(stats)) {
    const entry = queues.get(row.queue) ?? { names: [], due: 0, oldestDue: Infinity };
    entry.names.push(row);
    queues.set(row.queue, entry);
  }
  for (const due of stats.due) {
    const entry = queues.get(due.queue) ?? { names: [], due: 0, oldestDue: Infinity };
    entry.due += due.count;
    entry.oldestDue = Math.min(entry.oldestDue, due.oldestRunAt);
    queues.set(due.queue, entry);
  }
  const dueOf = (queue: string, name: string) => stats.due.find((d) => d.queue === queue && d.name === name);
  const wait = (oldest: number | undefined) =>
    oldest === undefined || !Number.isFinite(oldest)
      ? html`<span class="muted">—</span>`
      : duration(Math.max(0, stats.now - oldest));
  const sum = (rows: ReturnType<typeof nameRows>, state: JobState) =>
    rows.reduce((total, row) => total + (row.byState[state] ?? 0), 0);
  const body = [...queues.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(
      ([
        queue,
        entry,
      ]) => html`<tbody data-queue="${queue}"><tr class="queue-row"><td><strong><a href="${ctx.base}/jobs?queue=${encodeURIComponent(queue)}">${queue}</a></strong></td><td></td>
<td class="num">${count(entry.due)}</td><td class="num">${wait(entry.oldestDue)}</td>${shown.map(
        (state) => html`<td class="num">${count(sum(entry.names, state))}</td>`,
      )}</tr>
${entry.names.map((row) => {
  const due = dueOf(queue, row.name);
  return html`<tr data-name="${row.name}"><td></td><td><a href="${ctx.base}/jobs?queue=${encodeURIComponent(queue)}&amp;name=${encodeURIComponent(row.name)}">${row.name}</a></td>
<td class="num">${count(due?.count ?? 0)}</td><td class="num">${wait(due?.oldestRunAt)}</td>${shown.map(
    (state) => html`<td class="num${row.byState[state] ? "" : " zero"}">${count(row.byState[state] ?? 0)}</td>`,
  )}</tr>`;
})}</tbody>`,
    );
  const main = html`<h1>Queues</h1>
<section class="panel flush" id="queues-live" data-live>${
    queues.size === 0
      ? html`<p class="empty">No jobs yet.</p>`
      : html`<table id="queues"><thead><tr><th>Queue</th><th>Name</th><th class="num">Due now</th><th class="num">Oldest due waiting</th>${shown.map(
          (state) => html`<th class="num">${state}</th>`,
        )}</tr></thead>${body}</table>`
  }</section>`;
  return layout(ctx, "queues", "Queues", main);
}
