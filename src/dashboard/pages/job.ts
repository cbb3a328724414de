import type { JobAttemptError, JobRecord, StoredStep } from "../../jobs/index.ts";
import { parkedRunAt } from "../../jobs/workflow-store.ts";
import { duration, utc, when } from "../format.ts";
import { type Html, html, prettyJson } from "../html.ts";
import type { DashboardJobs } from "../types.ts";
import { action, badge, layout, notice, type PageContext } from "./layout.ts";

/** What the control features add to a job (results, progress); read when present. */
type WithControl = JobRecord & { result?: unknown; progress?: unknown };

const retryableStates = new Set(["failed", "dead", "cancelled"]);
const cancellableStates = new Set(["scheduled", "ready", "running", "failed"]);

export function jobPage(
  ctx: PageContext,
  job: WithControl,
  flash: { code: string | null; n: string | null },
  can: Pick<DashboardJobs, "cancel">,
  workflow: { steps: readonly StoredStep[]; children: readonly JobRecord[] } = { steps: [], children: [] },
): Html {
  const back = `${ctx.base}/jobs/${job.id}`;
  const main = html`<h1>Job <span class="mono">#${job.id}</span> <span class="mono">${job.name}</span> <span id="job-state">${badge(job.state)}</span></h1>
${notice(flash.code, flash.n)}
<section id="job-live" data-live>
<div class="actions panel" id="job-actions">${actions(ctx, job, back, can.cancel !== undefined)}
<a href="${ctx.base}/jobs?name=${encodeURIComponent(job.name)}">All ${job.name} jobs</a></div>
<div class="grid2">
<div class="panel"><h2>Details</h2>${facts(ctx, job)}</div>
<div class="panel"><h2>Payload</h2><pre id="payload">${prettyJson(job.payload)}</pre></div>
</div>
${outputs(job)}
${steps(workflow.steps)}
${children(ctx, workflow.children)}
<div class="panel" id="attempts"><h2>Attempts</h2>${attempts(ctx, job)}</div>
</section>`;
  return layout(ctx, "jobs", `Job ${job.id}`, main);
}

function actions(ctx: PageContext, job: JobRecord, back: string, cancellable: boolean): Html {
  const retryable = retryableStates.has(job.state);
  const runnable = (job.state === "scheduled" || job.state === "failed") && job.runAt < parkedRunAt;
  return html`${retryable ? action(ctx, `/jobs/${job.id}/retry`, "Retry", { back, style: "primary" }) : ""}
${runnable ? action(ctx, `/jobs/${job.id}/run`, "Run now", { back }) : ""}
${
  cancellable && cancellableStates.has(job.state)
    ? action(ctx, `/jobs/${job.id}/cancel`, "Cancel", {
        back,
        style: "danger",
        confirm: `Cancel job ${job.id}? A running attempt is aborted.`,
      })
    : ""
}
${
  job.state === "running"
    ? ""
    : action(ctx, `/jobs/${job.id}/discard`, "Discard", {
        back: `${ctx.base}/jobs`,
        style: "danger",
        confirm: `Delete job ${job.id}? This cannot be undone.`,
      })
}`;
}

/** The handler's result and its last reported progress, when the job has them. */
function outputs(job: WithControl): Html {
  const hasResult = job.result !== undefined && job.result !== null;
  const hasProgress = job.progress !== undefined && job.progress !== null;
  if (!hasResult && !hasProgress) return html``;
  const progress =
    typeof job.progress === "number" && Number.isFinite(job.progress)
      ? html`<progress max="100" value="${Math.max(0, Math.min(100, job.progress))}"></progress> ${job.progress}%`
      : html`<pre>${prettyJson(job.progress)}</pre>`;
  return html`<div class="grid2">${hasProgress ? html`<div class="panel" id="progress"><h2>Progress</h2>${progress}</div>` : ""}${
    hasResult ? html`<div class="panel"><h2>Result</h2><pre id="result">${prettyJson(job.result)}</pre></div>` : ""
  }</div>`;
}

/** A workflow's stored steps in the order it reached them; a wait not yet resolved shows as waiting. */
function steps(list: readonly StoredStep[]): Html {
  if (list.length === 0) return html``;
  const rows = list.map(
    (step) =>
      html`<tr><td>${step.seq + 1}</td><td><code>${step.id}</code></td><td>${step.done ? "done" : "waiting"}</td><td><pre>${
        step.result === undefined ? "" : prettyJson(step.result)
      }</pre></td></tr>`,
  );
  return html`<div class="panel" id="steps"><h2>Steps</h2><table><thead><tr><th>#</th><th>Step</th><th>State</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A flow parent's children, linked. */
function children(ctx: PageContext, list: readonly JobRecord[]): Html {
  if (list.length === 0) return html``;
  const rows = list.map(
    (child) =>
      html`<tr><td><a href="${ctx.base}/jobs/${child.id}">#${child.id}</a></td><td class="mono">${child.name}</td><td>${badge(child.state)}</td></tr>`,
  );
  return html`<div class="panel" id="children"><h2>Children</h2><table><tbody>${rows}</tbody></table></div>`;
}

function facts(ctx: PageContext, job: JobRecord): Html {
  const row = (label: string, value: Html | string | number) => html`<dt>${label}</dt><dd>${value}</dd>`;
  const at = (ms: number | null) =>
    ms === null || ms >= parkedRunAt ? when(ms, ctx.now) : html`${utc(ms)} (${when(ms, ctx.now)})`;
  return html`<dl class="facts">
${row("Queue", html`<a href="${ctx.base}/jobs?queue=${encodeURIComponent(job.queue)}">${job.queue}</a>`)}
${row("State", badge(job.state))}
${row("Attempts", `${job.attempts} of ${job.maxAttempts}`)}
${row("Priority", job.priority)}
${row("Key", job.key === null ? html`<span class="muted">none</span>` : html`<code>${job.key}</code>`)}
${row("Enqueued", at(job.enqueuedAt))}
${row(job.state === "scheduled" || job.state === "failed" || job.state === "ready" ? "Due" : "Last due", at(job.runAt))}
${row("Finished", at(job.finishedAt))}
${job.lockedBy === null ? "" : row("Worker", html`<code>${job.lockedBy}</code>`)}
${job.leaseExpiresAt === null ? "" : row("Lease until", at(job.leaseExpiresAt))}
</dl>`;
}

function attempts(ctx: PageContext, job: JobRecord): Html {
  const items: Html[] = job.errors.map((error, i) => failedAttempt(ctx, job, error, i));
  if (job.state === "running")
    items.push(
      html`<div class="attempt"><div class="head"><strong>Attempt ${job.attempts}</strong>${badge("running")}<span class="muted">on <code>${job.lockedBy ?? "?"}</code></span></div></div>`,
    );
  if (job.state === "succeeded")
    items.push(
      html`<div class="attempt"><div class="head"><strong>Attempt ${job.attempts}</strong>${badge("succeeded")}<span>${when(job.finishedAt, ctx.now)}</span></div></div>`,
    );
  if (items.length === 0) return html`<p class="muted">Not run yet.</p>`;
  return html`${items.reverse()}`;
}

function failedAttempt(ctx: PageContext, job: JobRecord, error: JobAttemptError, index: number): Html {
  const took = error.durationMs;
  const last = index === job.errors.length - 1;
  return html`<div class="attempt" data-attempt="${error.attempt}"><div class="head">${
    // Attempt 0: recorded without a run (a flow child or an `after` dependency ended badly), so it is
    // the reason the job ended, not an attempt that failed.
    error.attempt === 0
      ? html`<strong>Ended without running</strong>${last && (job.state === "dead" || job.state === "cancelled") ? badge(job.state) : ""}`
      : html`<strong>Attempt ${error.attempt}</strong>${badge(last && job.state === "dead" ? "dead" : "failed")}`
  }<span>${when(error.at, ctx.now)}</span>${took === undefined ? "" : html`<span class="muted">took ${duration(took)}</span>`}${
    error.workerId ? html`<span class="muted">on <code>${error.workerId}</code></span>` : ""
  }</div>
<div class="mono err-text">${error.name}: ${error.message}</div>
${error.stack ? html`<details id="stack-${index}"><summary>Stack trace</summary><pre>${error.stack}</pre></details>` : ""}</div>`;
}
