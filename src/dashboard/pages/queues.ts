import type { JobState, JobStatsView } from "../../jobs/index.ts";
import { count, duration, when } from "../format.ts";
import { type Html, html } from "../html.ts";
import type { DashboardPauseTarget } from "../types.ts";
import { action, badge, layout, notice, type PageContext } from "./layout.ts";
import { type NameRow, nameRows } from "./overview.ts";

const shown: JobState[] = ["scheduled", "ready", "running", "failed", "dead"];

/** The pauses in force, or null when the jobs service cannot pause (no control, or its store cannot). */
export type Pauses = readonly (DashboardPauseTarget & { pausedAt: number })[] | null;

export function queuesPage(
  ctx: PageContext,
  stats: JobStatsView,
  pauses: Pauses,
  flash: { code: string | null; n: string | null },
): Html {
  const queues = new Map<string, { names: NameRow[]; due: number; oldestDue: number }>();
  const entry = (queue: string) => {
    let found = queues.get(queue);
    if (!found) {
      found = { names: [], due: 0, oldestDue: Infinity };
      queues.set(queue, found);
    }
    return found;
  };
  for (const row of nameRows(stats)) entry(row.queue).names.push(row);
  for (const due of stats.due) {
    const found = entry(due.queue);
    found.due += due.count;
    found.oldestDue = Math.min(found.oldestDue, due.oldestRunAt);
  }
  // A paused name or queue stays listed while it has no jobs, so it can be resumed.
  for (const pause of pauses ?? []) if (pause.queue !== undefined) entry(pause.queue);
  const dueOf = (queue: string, name: string) => stats.due.find((d) => d.queue === queue && d.name === name);
  const wait = (oldest: number | undefined) =>
    oldest === undefined || !Number.isFinite(oldest)
      ? html`<span class="muted">—</span>`
      : duration(Math.max(0, stats.now - oldest));
  const sum = (rows: NameRow[], state: JobState) => rows.reduce((total, row) => total + (row.byState[state] ?? 0), 0);
  const pausedAt = (target: DashboardPauseTarget) =>
    pauses?.find((p) => (target.name !== undefined ? p.name === target.name : p.queue === target.queue))?.pausedAt;
  const control = (target: DashboardPauseTarget) => {
    if (pauses === null) return html``;
    const at = pausedAt(target);
    const fields = target.name !== undefined ? { name: target.name } : { queue: target.queue };
    const what = target.name !== undefined ? `jobs named ${target.name}` : `queue ${target.queue}`;
    return at === undefined
      ? action(ctx, "/queues/pause", "Pause", {
          back: `${ctx.base}/queues`,
          fields,
          confirm: `Stop every instance from starting ${what}? Running jobs finish.`,
        })
      : html`${badge("paused")} <span class="muted">${when(at, ctx.now)}</span> ${action(
          ctx,
          "/queues/resume",
          "Resume",
          {
            back: `${ctx.base}/queues`,
            fields,
            style: "primary",
          },
        )}`;
  };
  const body = [...queues.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(
      ([
        queue,
        found,
      ]) => html`<tbody data-queue="${queue}"><tr class="queue-row"><td><strong><a href="${ctx.base}/jobs?queue=${encodeURIComponent(queue)}">${queue}</a></strong></td><td></td>
<td class="num">${count(found.due)}</td><td class="num">${wait(found.oldestDue)}</td>${shown.map(
        (state) => html`<td class="num">${count(sum(found.names, state))}</td>`,
      )}<td class="nowrap">${control({ queue })}</td></tr>
${found.names.map((row) => {
  const due = dueOf(queue, row.name);
  return html`<tr data-name="${row.name}"><td></td><td><a href="${ctx.base}/jobs?queue=${encodeURIComponent(queue)}&amp;name=${encodeURIComponent(row.name)}">${row.name}</a></td>
<td class="num">${count(due?.count ?? 0)}</td><td class="num">${wait(due?.oldestRunAt)}</td>${shown.map(
    (state) => html`<td class="num${row.byState[state] ? "" : " zero"}">${count(row.byState[state] ?? 0)}</td>`,
  )}<td class="nowrap">${control({ name: row.name })}</td></tr>`;
})}</tbody>`,
    );
  const main = html`<h1>Queues</h1>
${notice(flash.code, flash.n)}
<section class="panel flush" id="queues-live" data-live>${
    queues.size === 0
      ? html`<p class="empty">No jobs yet.</p>`
      : html`<table id="queues"><thead><tr><th>Queue</th><th>Name</th><th class="num">Due now</th><th class="num">Oldest due waiting</th>${shown.map(
          (state) => html`<th class="num">${state}</th>`,
        )}<th></th></tr></thead>${body}</table>`
  }</section>
${pauses === null ? "" : html`<p class="muted">A pause is kept in the store: every instance stops starting those jobs within a second; enqueue still works.</p>`}`;
  return layout(ctx, "queues", "Queues", main);
}
