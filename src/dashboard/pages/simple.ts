import { stylesheet } from "../assets.ts";
import { type Html, html } from "../html.ts";
import { layout, type PageContext } from "./layout.ts";

/** The sign-in form: a page of its own, outside the layout (no navigation before signing in). */
export function loginPage(base: string, title: string, problem: string | null, next: string | null = null): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · ${title}</title><link rel="stylesheet" href="${base}/assets/${stylesheet.file}"></head>
<body><main class="login"><div class="panel"><h1>${title}</h1>
${problem ? html`<div class="notice bad" role="alert">${problem}</div>` : ""}
<form method="post" action="${base}/login${next ? `?next=${encodeURIComponent(next)}` : ""}">
<label for="token">Admin token</label>
<input id="token" type="password" name="token" autocomplete="current-password" required maxlength="1000" autofocus>
<button type="submit" class="primary">Sign in</button>
</form></div></main></body></html>`;
}

/** An error page in the layout when the request was authorized, bare otherwise. */
export function errorPage(ctx: PageContext | null, base: string, status: number, message: string): Html {
  const titles: Record<number, string> = {
    400: "Bad request",
    401: "Not signed in",
    403: "Refused",
    404: "Not found",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
  };
  const title = titles[status] ?? "Error";
  const body = html`<div class="panel"><h1>${title}</h1><p>${message}</p><p><a href="${base}/">Back to the overview</a></p></div>`;
  if (ctx) return layout(ctx, null, title, body);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="${base}/assets/${stylesheet.file}"></head>
<body><main class="login">${body}</main></body></html>`;
}
