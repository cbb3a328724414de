import { Elysia, t } from "elysia";
import type { JobState } from "errand";
import { constantTimeEqual } from "../auth/secrets.ts";
import { hasAdminSession, isAdminBearer, SESSION_COOKIE, sessionValue } from "./admin-auth.ts";
import { type AdminCrons, type AdminJobs, countRows } from "./admin-ports.ts";
import { dashboardPage, loginPage } from "./dashboard-view.ts";
import { htmlResponse } from "./html.ts";

const LISTED_STATES: JobState[] = ["running", "failed", "dead", "succeeded"];

export interface DashboardDeps {
  adminToken: string;
  jobs: AdminJobs;
  crons: AdminCrons;
  /** Sets the Secure flag on the session cookie (behind HTTPS). */
  secureCookie: boolean;
  refreshSeconds?: number;
}

/**
 * The server-rendered dashboard at /admin: plain HTML forms, no front-end build. Signing in with the
 * admin token sets an HttpOnly, SameSite=Strict session cookie (which also stops cross-site form
 * posts); the page reloads itself to stay current.
 */
export function dashboardRoutes({ adminToken, jobs, crons, secureCookie, refreshSeconds = 2 }: DashboardDeps) {
  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secureCookie ? "; Secure" : ""}`;
  const signedIn = (request: Request) =>
    hasAdminSession(request.headers.get("cookie"), adminToken) ||
    isAdminBearer(request.headers.get("authorization"), adminToken);
  const redirect = (headers: Record<string, string> = {}) =>
    new Response(null, { status: 303, headers: { location: "/admin", ...headers } });

  return new Elysia({ name: "app.admin.dashboard", prefix: "/admin", detail: { hide: true } })
    .get("/", async ({ request }) => {
      if (!signedIn(request)) return htmlResponse(loginPage(false), 401);
      const pages = await Promise.all(LISTED_STATES.map((state) => jobs.list({ state, limit: 25 })));
      const byState = Object.fromEntries(LISTED_STATES.map((state, i) => [state, pages[i]!.jobs]));
      return htmlResponse(
        dashboardPage({ counts: countRows(await jobs.counts()), byState, crons: await crons.list(), refreshSeconds }),
      );
    })
    .post(
      "/login",
      ({ body }) => {
        if (!constantTimeEqual(body.token, adminToken)) return htmlResponse(loginPage(true), 401);
        return redirect({ "set-cookie": cookie(sessionValue(adminToken), 8 * 3600) });
      },
      { body: t.Object({ token: t.String({ maxLength: 1000 }) }) },
    )
    .post("/logout", () => redirect({ "set-cookie": cookie("", 0) }))
    .post(
      "/jobs/:id/retry",
      async ({ request, params }) => {
        if (!signedIn(request)) return htmlResponse(loginPage(false), 401);
        await jobs.retry(params.id);
        return redirect();
      },
      { params: t.Object({ id: t.String({ pattern: "^[0-9]{1,20}$" }) }) },
    );
}
