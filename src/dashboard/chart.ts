// Throughput as an inline SVG: one column per bucket, succeeded jobs below failed attempts. Plain
// shapes with presentation classes and <title> tooltips: no script, no inline style, so the strict
// Content-Security-Policy holds.
import type { ActivityBucket } from "../jobs/store.ts";
import { type Html, html } from "./html.ts";

const width = 1160;
const height = 190;
const left = 44;
const right = 8;
const top = 10;
const bottom = 26;

export function throughputChart(activity: readonly ActivityBucket[], bucketMs: number, now: number): Html {
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceCeiling(Math.max(1, ...activity.map((b) => b.succeeded + b.failed)));
  const step = plotW / Math.max(1, activity.length);
  const barW = round(Math.max(1, step - (step > 6 ? 2 : 0.5)));
  const y = (value: number) => round(top + plotH - (value / max) * plotH);
  const grid = [0, max / 2, max].map(
    (value) =>
      html`<line class="axis" x1="${left}" x2="${width - right}" y1="${y(value)}" y2="${y(value)}"></line><text x="${left - 6}" y="${y(value) + 4}" text-anchor="end">${compact(value)}</text>`,
  );
  const minutes = (activity.length * bucketMs) / 60_000;
  const labels = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const x = round(left + f * plotW);
    const ago = Math.round((1 - f) * minutes);
    const anchor = f === 0 ? "start" : f === 1 ? "end" : "middle";
    return html`<text x="${x}" y="${height - 8}" text-anchor="${anchor}">${ago === 0 ? "now" : `−${ago} min`}</text>`;
  });
  const columns = activity.map((bucket, i) => {
    const x = round(left + i * step + (step - barW) / 2);
    const okTop = y(bucket.succeeded);
    const badTop = y(bucket.succeeded + bucket.failed);
    const label = `${clock(bucket.at)}–${clock(Math.min(bucket.at + bucketMs, now))} UTC: ${bucket.succeeded} succeeded, ${bucket.failed} failed attempts${bucket.dead ? `, ${bucket.dead} dead` : ""}`;
    return html`<g><title>${label}</title><rect class="hit" x="${round(left + i * step)}" y="${top}" width="${round(step)}" height="${plotH}"></rect>${
      bucket.succeeded
        ? html`<rect class="ok" x="${x}" y="${okTop}" width="${barW}" height="${round(top + plotH - okTop)}"></rect>`
        : ""
    }${bucket.failed ? html`<rect class="bad" x="${x}" y="${badTop}" width="${barW}" height="${round(okTop - badTop)}"></rect>` : ""}</g>`;
  });
  return html`<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Jobs succeeded and attempts failed per minute, last ${minutes} minutes">${grid}${labels}${columns}</svg>`;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** 1, 2 or 5 times a power of ten, at least `value`: round gridline labels. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= value) return factor * power;
  return 10 * power;
}

function compact(value: number): string {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1_000) return `${+(value / 1_000).toFixed(1)}k`;
  return String(+value.toFixed(1));
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}
