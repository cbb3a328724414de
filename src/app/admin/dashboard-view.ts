import type { CronStatus, JobCount, JobRecord, JobState } from "errand";
import { html, SafeHtml } from "./html.ts";

const STYLE = `body{font:14px system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;min-width:40rem}th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:top}
.state-dead{color:#b00020}.state-failed{color:#b06000}.state-succeeded{color:#1b7a1b}.err{font-family:monospace;white-space:pre-wrap;max-width:50rem}
form{display:inline}button{cursor:pointer}.muted{color:#777}`;

export function layout(title: string, body: SafeHtml, refreshSeconds?: number): SafeHtml {
  return html`<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : ""}
<style>${new SafeHtml(STYLE)}</style></head><body>${body}</body></html>`;
}

export function loginPage(failed: boolean): SafeHtml {
  return layout(
    "Errand admin: sign in",
    html`<h1>Errand admin</h1>
${failed ? html`<p class="state-dead" role="alert">Invalid token.</p>` : ""}
<form method="post" action="/admin/login">
<label>Admin token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`,
  );
}

export interface DashboardData {
  counts: JobCount[];
  byState: Partial<Record<JobState, JobRecord[]>>;
  crons: CronStatus[];
  refreshSeconds: number;
}

const time = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : "—");

function countsTable(counts: JobCount[]): SafeHtml {
  if (counts.length === 0) return html`<p class="muted">No jobs yet.</p>`;
  return html`<table id="counts"><tr><th>Job</th><th>State</th><th>Count</th></tr>
${counts.map((c) => html`<tr><td>${c.name}</td><td class="state-${c.state}">${c.state}</td><td>${c.count}</td></tr>`)}</table>`;
}

function jobRow(job: JobRecord): SafeHtml {
  const last = job.errors.at(-1);
  const canRetry = job.state === "dead" || job.state === "failed";
  return html`<tr data-job-id="${job.id}" data-state="${job.state}"><td>${job.id}</td><td>${job.name}</td>
<td class="state-${job.state}">${job.state}</td><td>${job.attempts}/${job.maxAttempts}</td><td>${time(job.finishedAt ?? job.runAt)}</td>
<td class="err">${last ? `${last.name}: ${last.message}` : ""}</td>
<td>${canRetry ? html`<form method="post" action="/admin/jobs/${job.id}/retry"><button type="submit">Retry</button></form>` : ""}</td></tr>`;
}

function jobsSection(title: string, state: JobState, jobs: JobRecord[] | undefined): SafeHtml {
  return html`<h2>${title}</h2>${
    jobs?.length
      ? html`<table id="jobs-${state}"><tr><th>Id</th><th>Job</th><th>State</th><th>Attempts</th><th>Time</th><th>Last error</th><th></th></tr>
${jobs.map(jobRow)}</table>`
      : html`<p class="muted" id="jobs-${state}-empty">None.</p>`
  }`;
}

function cronsTable(crons: CronStatus[]): SafeHtml {
  if (crons.length === 0) return html`<p class="muted">No crons.</p>`;
  return html`<table id="crons"><tr><th>Cron</th><th>Schedule</th><th>Next run</th><th>Last run</th></tr>
${crons.map(
  (c) => html`<tr><td>${c.name}</td><td>${c.schedule}${c.timezone ? ` (${c.timezone})` : ""}</td>
<td>${c.nextRunAt?.toISOString() ?? "—"}</td>
<td>${c.lastRun ? html`<span class="state-${c.lastRun.state}">${c.lastRun.state}</span> ${c.lastRun.finishedAt?.toISOString() ?? ""} ${c.lastRun.lastError ?? ""}` : "never"}</td></tr>`,
)}</table>`;
}

export function dashboardPage(data: DashboardData): SafeHtml {
  return layout(
    "Errand admin",
    html`<h1>Errand jobs</h1>
<p class="muted">Refreshes every ${data.refreshSeconds} s. <form method="post" action="/admin/logout"><button type="submit">Sign out</button></form></p>
<h2>Counts</h2>${countsTable(data.counts)}
${jobsSection("Running", "running", data.byState.running)}
${jobsSection("Failed (will retry)", "failed", data.byState.failed)}
${jobsSection("Dead", "dead", data.byState.dead)}
${jobsSection("Recently succeeded", "succeeded", data.byState.succeeded)}
<h2>Crons</h2>${cronsTable(data.crons)}`,
    data.refreshSeconds,
  );
}
