// HTML built by tagged templates that escape every interpolated value unless it is already Html: job
// payloads, errors, keys and names are untrusted text, and a page is safe only if no path forgets to
// escape one. Web-standard (no Bun.escapeHTML), like the rest of the plugin.

/** Markup that is safe to emit as is: made by `html`, or a constant marked with `raw`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template accepts: Html as is; text and numbers escaped; nothing for null, undefined and booleans. */
export type Interpolation = Html | string | number | bigint | boolean | null | undefined | readonly Interpolation[];

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || typeof value === "boolean") return "";
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Marks a constant of the plugin's own as markup. Never pass it anything that came from a request or a job. */
export function raw(markup: string): Html {
  return new Html(markup);
}

const jsonToken = /("(?:\\.|[^"\\])*")(\s*:)?|\b(?:true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * A JSON value pretty-printed, its tokens wrapped for colouring. Every piece of the text is escaped;
 * the spans are the only markup added.
 */
export function prettyJson(value: unknown, maxChars = 200_000): Html {
  let text = JSON.stringify(value, null, 2) ?? "undefined";
  const truncated = text.length > maxChars;
  if (truncated) text = text.slice(0, maxChars);
  let out = "";
  let last = 0;
  for (const match of text.matchAll(jsonToken)) {
    out += escapeHtml(text.slice(last, match.index));
    const [token, string, colon] = match;
    const kind = string === undefined ? (/^[tfn]/.test(token) ? "l" : "n") : colon ? "k" : "s";
    out += `<span class="j${kind}">${escapeHtml(string ?? token)}</span>${colon ? escapeHtml(colon) : ""}`;
    last = match.index + token.length;
  }
  out += escapeHtml(text.slice(last));
  if (truncated) out += `\n<span class="muted">… truncated at ${maxChars.toLocaleString("en-US")} characters</span>`;
  return new Html(out);
}
