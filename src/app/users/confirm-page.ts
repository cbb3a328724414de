import { Elysia, t } from "elysia";
import { HttpError } from "../http/errors.ts";
import { type RateLimiter, rateLimit } from "../http/rate-limit.ts";
import type { UserService } from "./user-service.ts";

const HTML = {
  "content-type": "text/html; charset=utf-8",
  // The page carries the link's token: no cache keeps it.
  "cache-control": "no-store",
};
const Token = t.String({ minLength: 1, maxLength: 200 });

/**
 * Where the confirmation mail's link leads: a page that asks for the password chosen at registration
 * and posts it with the link's token (a plain form, no script). Confirming needs both, so a link that
 * reaches someone who did not register confirms nothing (see UserService). API clients use
 * POST /api/users/confirm instead.
 */
export function confirmPage({ users, limiter }: { users: UserService; limiter: RateLimiter }) {
  return new Elysia({ name: "app.users.confirm-page" })
    .get("/confirm", ({ query }) => page(200, form(query.token)), {
      query: t.Object({ token: Token }),
      detail: { hide: true },
    })
    .use(
      new Elysia({ name: "app.users.confirm-page.post" }).use(rateLimit("confirm", limiter)).post(
        "/confirm",
        async ({ body }) => {
          try {
            await users.confirm(body.token, body.password);
            return page(200, "<p>Your account is confirmed. You can sign in now.</p>");
          } catch (error) {
            if (!(error instanceof HttpError)) throw error;
            const retry = error.status === 401 ? form(body.token) : "";
            return page(error.status, `<p role="alert">${Bun.escapeHTML(error.message)}</p>${retry}`);
          }
        },
        {
          parse: "urlencoded",
          body: t.Object({ token: Token, password: t.String({ minLength: 1, maxLength: 256 }) }),
          detail: { hide: true },
        },
      ),
    );
}

function form(token: string): string {
  return `<p>Enter the password you chose when you registered.</p>
<p>Did not register? Then do not enter anything here: this link belongs to a registration someone else made
with your address. Register yourself instead, which replaces it.</p>
<form method="post">
<input type="hidden" name="token" value="${Bun.escapeHTML(token)}">
<label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="256"></label>
<button type="submit">Confirm my account</button>
</form>`;
}

function page(status: number, content: string): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Confirm your account</title></head>
<body><main><h1>Confirm your account</h1>
${content}
</main></body></html>`;
  return new Response(html, { status, headers: HTML });
}
