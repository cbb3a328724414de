import { script, stylesheet } from "../assets.ts";
import { type Html, html, type Interpolation } from "../html.ts";

export type Section = "overview" | "jobs" | "queues" | "crons";

/** What every page needs to know about the request it answers. */
export interface PageContext {
  /** The mount prefix, e.g. "/admin" ("" at the root). */
  base: string;
  now: number;
  /** The token POST forms carry; null when the request was authorized by a Bearer token. */
  csrf: string | null;
  /** Whether a sign-out button applies (TokenAuth sessions). */
  signOut: boolean;
  title: string;
  refreshMs: number;
  crons: boolean;
}

export function layout(ctx: PageContext, section: Section | null, title: string, main: Html): Html {
  const link = (to: Section, href: string, label: string) =>
    html`<a href="${ctx.base}${href}"${section === to ? html` class="current" aria-current="page"` : ""}>${label}</a>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · ${ctx.title}</title>
<link rel="stylesheet" href="${ctx.base}/assets/${stylesheet.file}">
<script src="${ctx.base}/assets/${script.file}" defer></script></head>
<body data-refresh-ms="${ctx.refreshMs}">
<header class="top"><a class="brand" href="${ctx.base}/">${ctx.title}</a>
<nav>${link("overview", "/", "Overview")}${link("jobs", "/jobs", "Jobs")}${link("queues", "/queues", "Queues")}${
    ctx.crons ? link("crons", "/crons", "Crons") : ""
  }</nav>
<div class="tools"><button type="button" id="live-toggle" title="Refresh this page's figures every few seconds"><i class="live-dot"></i><span class="label">Live</span></button>
${ctx.signOut && ctx.csrf ? html`<form class="inline" method="post" action="${ctx.base}/logout">${csrfField(ctx)}<button type="submit">Sign out</button></form>` : ""}</div>
</header>
<main>${main}</main>
</body></html>`;
}

export function csrfField(ctx: PageContext): Html {
  return ctx.csrf === null ? html`` : html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export interface ActionOptions {
  /** Where to come back to (a path under the dashboard). */
  back?: string;
  confirm?: string;
  style?: "primary" | "danger";
  fields?: Record<string, string | undefined>;
}

/** A POST button: works as a plain form, and in place with the script. */
export function action(ctx: PageContext, path: string, label: Interpolation, o: ActionOptions = {}): Html {
  const fields = Object.entries(o.fields ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return html`<form class="inline" method="post" action="${ctx.base}${path}" data-enhance${
    o.confirm ? html` data-confirm="${o.confirm}"` : ""
  }>${csrfField(ctx)}${o.back ? html`<input type="hidden" name="back" value="${o.back}">` : ""}${fields.map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit"${o.style ? html` class="${o.style}"` : ""}>${label}</button></form>`;
}

export function badge(state: string): Html {
  return html`<span class="badge ${state}">${state}</span>`;
}

const notices: Record<string, (n: number) => string> = {
  retried: () => "The job will run again now.",
  discarded: () => "The job was discarded.",
  "run-now": () => "The job is due now.",
  "not-retryable": () => "Only failed, dead and cancelled jobs can be retried.",
  "not-discardable": () => "A running job cannot be discarded.",
  "not-runnable": () => "Only scheduled jobs and failed jobs waiting for a retry can be run now.",
  "bulk-retried": (n) => `${n.toLocaleString("en-US")} jobs will run again now.`,
  "bulk-discarded": (n) => `${n.toLocaleString("en-US")} jobs were discarded.`,
  triggered: () => "The cron run was enqueued.",
  paused: () => "Paused: no instance starts these jobs until they are resumed.",
  resumed: () => "Resumed.",
  cancelled: () => "The job was cancelled.",
  "not-cancellable": () => "Only a job that has not finished can be cancelled.",
  enabled: () => "The cron is enabled on this instance.",
  disabled: () => "The cron is disabled on this instance.",
};

/** The message after an action: one of the plugin's own texts, picked by code (never echoed from the URL). */
export function notice(code: string | null, n: string | null): Html {
  const text = code === null ? undefined : notices[code];
  if (!text) return html``;
  const bad = code!.startsWith("not-");
  return html`<div class="notice${bad ? " bad" : ""}" role="status">${text(Number(n) || 0)}</div>`;
}
