import type { CronRunStatus, CronStatus } from "../../cron/index.ts";
import { utc, when } from "../format.ts";
import { type Html, html } from "../html.ts";
import { action, badge, layout, notice, type PageContext } from "./layout.ts";

export interface CronRow {
  status: CronStatus;
  runs: CronRunStatus[];
}

export function cronsPage(ctx: PageContext, rows: CronRow[], flash: { code: string | null; n: string | null }): Html {
  const back = `${ctx.base}/crons`;
  const main = html`<h1>Crons</h1>
${notice(flash.code, flash.n)}
<section class="panel flush" id="crons-live" data-live>${
    rows.length === 0
      ? html`<p class="empty">No crons.</p>`
      : html`<table id="crons"><thead><tr><th>Cron</th><th>Schedule</th><th>Status</th><th>Next run</th><th>Last run</th><th>Recent runs</th><th></th></tr></thead><tbody>${rows.map(
          ({ status, runs }) => html`<tr data-cron="${status.name}"><td><strong>${status.name}</strong></td>
<td><code>${status.schedule}</code><div class="muted">${status.timezone ?? "UTC"}</div></td>
<td>${badge(status.enabled ? "enabled" : "disabled")}</td>
<td>${status.nextRunAt ? html`${when(status.nextRunAt.getTime(), ctx.now)}<div class="muted">${utc(status.nextRunAt.getTime())}</div>` : html`<span class="muted">—</span>`}</td>
<td>${lastRun(ctx, status.lastRun)}</td>
<td><div class="runs">${runs
            .slice()
            .reverse()
            .map(
              (run) =>
                html`<a class="${run.state}" href="${ctx.base}/jobs/${run.jobId}" title="${run.tick ? utc(run.tick.getTime()) : "manual run"}: ${run.state}"></a>`,
            )}</div></td>
<td class="nowrap"><div class="actions">${action(ctx, `/crons/${encodeURIComponent(status.name)}/trigger`, "Trigger now", { back, style: "primary" })}
${
  status.enabled
    ? action(ctx, `/crons/${encodeURIComponent(status.name)}/disable`, "Disable", {
        back,
        confirm: `Stop scheduling ${status.name} on this instance?`,
      })
    : action(ctx, `/crons/${encodeURIComponent(status.name)}/enable`, "Enable", { back })
}</div></td></tr>`,
        )}</tbody></table>`
  }</section>
<p class="muted">Enable and disable apply to the instance that serves this page; every run, from any instance, is listed.</p>`;
  return layout(ctx, "crons", "Crons", main);
}

function lastRun(ctx: PageContext, run: CronRunStatus | null): Html {
  if (!run) return html`<span class="muted">never</span>`;
  return html`<a href="${ctx.base}/jobs/${run.jobId}">${badge(run.state)}</a> ${when(run.finishedAt?.getTime() ?? run.enqueuedAt.getTime(), ctx.now)}${
    run.tick === null ? html` <span class="muted">manual</span>` : ""
  }${run.lastError ? html`<div class="err" title="${run.lastError}">${run.lastError}</div>` : ""}`;
}
