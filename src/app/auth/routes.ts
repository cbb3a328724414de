import { Elysia, t } from "elysia";
import { ErrorBody } from "../http/error-body.ts";
import { jsonOnly } from "../http/json-only.ts";
import { type RateLimiter, rateLimit } from "../http/rate-limit.ts";
import type { AuthService } from "./auth-service.ts";

const TokenPair = t.Object({
  accessToken: t.String(),
  tokenType: t.Literal("Bearer"),
  expiresIn: t.Integer({ description: "Seconds until the access token expires" }),
  refreshToken: t.String(),
});
const RefreshBody = t.Object({ refreshToken: t.String({ minLength: 1, maxLength: 200 }) });

/** Access and refresh tokens, under /api/auth. */
export function authRoutes({ auth, limiter }: { auth: AuthService; limiter: RateLimiter }) {
  const token = new Elysia({ name: "app.auth.token" })
    .use(jsonOnly)
    .use(rateLimit("token", limiter))
    .post("/token", ({ body }) => auth.login(body.email, body.password), {
      body: t.Object({ email: t.String({ maxLength: 254 }), password: t.String({ maxLength: 256 }) }),
      response: { 200: TokenPair, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody, 429: ErrorBody },
      detail: { summary: "Log in with email and password (confirmed accounts only)" },
    });
  return new Elysia({ name: "app.auth", prefix: "/api/auth", detail: { tags: ["auth"] } })
    .use(token)
    .use(jsonOnly)
    .post("/refresh", ({ body }) => auth.refresh(body.refreshToken), {
      body: RefreshBody,
      response: { 200: TokenPair, 401: ErrorBody, 422: ErrorBody },
      detail: { summary: "Rotate the refresh token; reusing an old one revokes every token of its family" },
    })
    .post(
      "/logout",
      async ({ body, status }) => {
        await auth.logout(body.refreshToken);
        return status(204, undefined);
      },
      {
        body: RefreshBody,
        response: { 204: t.Void(), 422: ErrorBody },
        detail: { summary: "Revoke the refresh token and its family" },
      },
    );
}
