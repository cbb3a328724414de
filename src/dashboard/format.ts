// Times and durations as the pages show them: relative for scanning ("3 min ago"), the exact UTC time
// in the title and the datetime attribute.
import { parkedRunAt } from "../jobs/workflow-store.ts";
import { type Html, html } from "./html.ts";

export function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** "450 ms", "12.3 s", "4 min", "2 h 5 min", "3 d". */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(abs / 1_000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  if (abs < 3_600_000) return pair(Math.floor(abs / 60_000), "min", Math.floor((abs % 60_000) / 1_000), "s");
  if (abs < 86_400_000) return pair(Math.floor(abs / 3_600_000), "h", Math.floor((abs % 3_600_000) / 60_000), "min");
  return pair(Math.floor(abs / 86_400_000), "d", Math.floor((abs % 86_400_000) / 3_600_000), "h");
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}

/** "in 5 s" / "3 min ago", coarse: the exact time is in the title. */
export function relative(ms: number, now: number): string {
  const delta = ms - now;
  const abs = Math.abs(delta);
  if (abs < 1_000) return "now";
  const text =
    abs < 60_000
      ? `${Math.floor(abs / 1_000)} s`
      : abs < 3_600_000
        ? `${Math.floor(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.floor(abs / 3_600_000)} h`
          : `${Math.floor(abs / 86_400_000)} d`;
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

/** A <time> element: relative text, exact UTC time on hover. */
export function when(ms: number | null | undefined, now: number): Html {
  if (ms === null || ms === undefined) return html`<span class="muted">—</span>`;
  if (ms >= parkedRunAt) return html`<span class="muted">after its dependencies</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" title="${utc(ms)}">${relative(ms, now)}</time>`;
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}
