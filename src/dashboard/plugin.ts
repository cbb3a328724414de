// The dashboard as an Elysia plugin: server-rendered pages over the Jobs and Cron APIs, so it works on
// every store and shows every instance sharing one. Each handler answers with a complete Response and
// catches its own errors, so the app's error handler (JSON, maybe with stacks) never renders a page.
import { Elysia } from "elysia";
import type { Server } from "elysia/universal";
import { consoleLogger, type Logger } from "../hosting/index.ts";
import { type JobRecord, type JobState, type JobStatsView, jobStates } from "../jobs/index.ts";
import { assets } from "./assets.ts";
import { bearer, randomToken, readCookie, sameOrigin, TokenAuth, tokensEqual } from "./auth.ts";
import type { Html } from "./html.ts";
import { cronsPage } from "./pages/crons.ts";
import { jobPage } from "./pages/job.ts";
import { bulkLimit, defaultLimit, type JobsQuery, jobsPage } from "./pages/jobs.ts";
import type { PageContext } from "./pages/layout.ts";
import { overviewPage } from "./pages/overview.ts";
import { queuesPage } from "./pages/queues.ts";
import { errorPage, loginPage } from "./pages/simple.ts";
import type { DashboardCron, DashboardJobs } from "./types.ts";

export interface DashboardOptions {
  /** The jobs service (createJobs), on any store. */
  jobs: DashboardJobs;
  /** The cron service, for the Crons page. */
  cron?: DashboardCron;
  /** Where the pages live (default "/admin"). */
  prefix?: string;
  /**
   * Who may see the pages and act: `tokenAuth({ token })` (a sign-in form, sessions and Bearer for one
   * shared token), or a function of the request for the app's own scheme (a session of its own, a
   * header set by an authenticating proxy). A function that accepts Basic credentials gets CSRF
   * checks on every POST, as browsers replay those.
   */
  authorize: TokenAuth | ((request: Request) => boolean | Promise<boolean>);
  /** The name in the header and titles (default "Errand"). */
  title?: string;
  /** How often open pages refresh their figures in place (default 3000 ms; 0 turns it off). */
  refreshMs?: number;
  /**
   * How long the store's figures (counts, activity, backlog) are reused (default 5000 ms): one read
   * serves every open page, however many refresh. The read scans the jobs table; on SQLite, whose
   * calls block the process, 200,000 jobs take about 0.25 s.
   */
  statsCacheMs?: number;
  /** The Secure flag on cookies (default: when the request URL is https; set it behind a TLS proxy). */
  secureCookies?: boolean;
  /** Origins allowed to POST besides the request's own (e.g. the public URL behind a proxy). */
  allowedOrigins?: readonly string[];
  /** Who counts as one client for the limit on wrong tokens (default: the connection's address). */
  clientKey?: (request: Request, server: Server | null) => string;
  logger?: Logger;
}

type Auth =
  | { via: "bearer" }
  | { via: "session"; csrf: string }
  | { via: "authorize"; csrf: string; newCookie: boolean };

interface Call {
  request: Request;
  params: Record<string, string>;
  url: URL;
  auth: Auth;
  ctx: PageContext;
  form: URLSearchParams;
}

const maxFormBytes = 64 * 1024;
/**
 * On every POST: the handler reads the body itself (readForm, with its size limit), so Elysia must not
 * read it first, which it would once any hook of the app mentions `body`.
 */
const ownBody = { parse: "none" } as const;
const maxBigint = 9_223_372_036_854_775_807n;
const sessionCookie = "errand_session";
const csrfCookie = "errand_csrf";

const securityHeaders: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Answered in JSON: a problem only a script runs into, not a page a person sees. */
    readonly json = false,
  ) {
    super(message);
  }

  response(page: () => Html): Response {
    if (!this.json)
      return new Response(page().value, {
        status: this.status,
        headers: { "content-type": "text/html; charset=utf-8", ...securityHeaders, ...this.headers },
      });
    const code = this.status === 415 ? "unsupported_media_type" : "bad_request";
    return new Response(JSON.stringify({ error: code, message: this.message }), {
      status: this.status,
      headers: { "content-type": "application/json; charset=utf-8", ...securityHeaders, ...this.headers },
    });
  }
}

/**
 * `app.use(dashboard({ jobs, cron, authorize: tokenAuth({ token }) }))`: the pages at /admin (overview,
 * jobs, one job, queues, crons), their actions (retry, run now, discard, bulk retry and discard,
 * trigger, enable and disable crons) and, with tokenAuth, /admin/login and /admin/logout.
 */
export function dashboard(options: DashboardOptions) {
  const base = normalizePrefix(options.prefix ?? "/admin");
  const title = options.title ?? "Errand";
  const refreshMs = options.refreshMs ?? 3_000;
  const logger = (options.logger ?? consoleLogger).child({ component: "dashboard" });
  const tokens = options.authorize instanceof TokenAuth ? options.authorize : undefined;
  const authorize = typeof options.authorize === "function" ? options.authorize : undefined;
  if (!tokens && !authorize) throw new TypeError("dashboard: authorize must be tokenAuth({ token }) or a function.");
  const stats = cached(() => options.jobs.stats(), options.statsCacheMs ?? 5_000);
  const allowedOrigins = options.allowedOrigins ?? [];
  const clientOf = (request: Request, server: Server | null) =>
    options.clientKey?.(request, server) ?? server?.requestIP(request)?.address ?? "unknown";
  const cookiePath = base || "/";
  const cookie = (request: Request, name: string, value: string, maxAgeSeconds: number) =>
    `${name}=${value}; Path=${cookiePath}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${
      (options.secureCookies ?? new URL(request.url).protocol === "https:") ? "; Secure" : ""
    }`;

  const respond = (body: Html | string, status = 200, headers: Record<string, string> = {}) =>
    new Response(typeof body === "string" ? body : body.value, {
      status,
      headers: { "content-type": "text/html; charset=utf-8", ...securityHeaders, ...headers },
    });
  const redirect = (location: string, headers: Record<string, string> = {}) =>
    new Response(null, { status: 303, headers: { location, ...securityHeaders, ...headers } });

  const pageContext = (auth: Auth): PageContext => ({
    base,
    now: Date.now(),
    csrf: auth.via === "bearer" ? null : auth.csrf,
    signOut: tokens !== undefined && auth.via === "session",
    title,
    refreshMs,
    crons: options.cron !== undefined,
  });

  /** Who is asking: an Auth, or the Response that turns them away. */
  async function authenticate(request: Request, server: Server | null, isPage: boolean): Promise<Auth | Response> {
    if (authorize) {
      if (!(await authorize(request))) throw new HttpProblem(401, "You are not allowed to see this page.");
      const existing = readCookie(request, csrfCookie);
      const valid = existing !== undefined && /^[A-Za-z0-9_-]{43}$/.test(existing);
      return { via: "authorize", csrf: valid ? existing : randomToken(), newCookie: !valid };
    }
    const presented = bearer(request);
    if (presented !== undefined) {
      const client = clientOf(request, server);
      refuseIfLimited(client);
      if (await tokens!.matches(presented)) return { via: "bearer" };
      tokens!.failures.fail(client);
      throw new HttpProblem(401, "The bearer token is not valid.", { "www-authenticate": 'Bearer realm="errand"' });
    }
    const session = await tokens!.read(readCookie(request, sessionCookie));
    if (session) return { via: "session", csrf: session.csrf };
    if (isPage) {
      const url = new URL(request.url);
      return redirect(`${base}/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    }
    throw new HttpProblem(401, "Sign in first.");
  }

  function refuseIfLimited(client: string): void {
    const waitMs = tokens!.failures.retryAfterMs(client);
    if (waitMs > 0)
      throw new HttpProblem(429, "Too many wrong tokens from this address; try again later.", {
        "retry-after": String(Math.ceil(waitMs / 1000)),
      });
  }

  /** A POST made with a cookie must come from this origin and carry the CSRF token of its session. */
  async function checkPost(request: Request, auth: Auth, form: URLSearchParams): Promise<void> {
    if (!sameOrigin(request, allowedOrigins))
      throw new HttpProblem(403, "This request came from another site and was refused.");
    if (auth.via === "bearer" || (auth.via === "authorize" && bearer(request) !== undefined)) return;
    const presented = form.get("_csrf") ?? "";
    const expected = auth.via === "authorize" && auth.newCookie ? null : auth.csrf;
    if (expected === null || !(await tokensEqual(presented, expected)))
      throw new HttpProblem(403, "The form was stale or not sent by this dashboard; reload the page and try again.");
  }

  type Handler = (call: Call) => Promise<Response> | Response;
  type ElysiaCall = {
    request: Request;
    params?: Record<string, string>;
    set: { headers: unknown };
    server: Server | null;
  };

  function handle(kind: "page" | "action", handler: Handler) {
    return async ({ request, params, set, server }: ElysiaCall): Promise<Response> => {
      // Overrides what the app put in set.headers (a looser CSP), which Elysia merges into responses.
      Object.assign(set.headers as Record<string, string>, securityHeaders);
      let ctx: PageContext | null = null;
      try {
        const form = kind === "action" ? await readForm(request) : new URLSearchParams();
        const auth = await authenticate(request, server, kind === "page");
        if (auth instanceof Response) return auth;
        if (kind === "action") await checkPost(request, auth, form);
        ctx = pageContext(auth);
        const call: Call = { request, params: params ?? {}, url: new URL(request.url), auth, ctx, form };
        refuseNul(call);
        const response = await handler(call);
        if (auth.via === "authorize" && auth.newCookie)
          response.headers.append("set-cookie", cookie(request, csrfCookie, auth.csrf, 8 * 3600));
        return response;
      } catch (error) {
        if (error instanceof HttpProblem)
          return error.response(() => errorPage(ctx, base, error.status, error.message));
        logger.error({ err: error, method: request.method, path: new URL(request.url).pathname }, "dashboard failed");
        return respond(
          errorPage(ctx, base, 500, "The dashboard could not do that. The error is in the server log."),
          500,
        );
      }
    };
  }

  const flash = (url: URL) => ({ code: url.searchParams.get("notice"), n: url.searchParams.get("n") });

  /** Back to a page of this dashboard only: `back` comes from the form, and must not send anyone elsewhere. */
  function backTo(form: URLSearchParams, fallback: string, notice: string, n?: number, gone?: string): Response {
    const back = form.get("back");
    const safe =
      back !== null &&
      back.split("?")[0] !== gone &&
      (back === base || back.startsWith(`${base}/`)) &&
      !back.startsWith("//") &&
      !/[\\\s]/.test(back) &&
      back.length < 2000;
    const target = new URL(safe ? back : fallback, "http://dashboard.invalid");
    target.searchParams.set("notice", notice);
    if (n !== undefined) target.searchParams.set("n", String(n));
    return redirect(target.pathname + target.search);
  }

  async function findJob(id: string | undefined): Promise<JobRecord> {
    if (id === undefined || !isJobId(id)) throw new HttpProblem(404, "There is no job with this id.");
    const job = await options.jobs.get(id);
    if (!job) throw new HttpProblem(404, `There is no job ${id}: it may have been discarded or pruned.`);
    return job;
  }

  async function findCron(name: string | undefined) {
    const cron = options.cron;
    if (!cron || name === undefined) throw new HttpProblem(404, "There is no such cron.");
    const decoded = safeDecode(name);
    const status = (await cron.list()).find((c) => c.name === decoded);
    if (!status) throw new HttpProblem(404, "There is no such cron.");
    return { cron, status };
  }

  const app = new Elysia({ name: "errand.dashboard", seed: base, prefix: base })
    .get(
      "/",
      handle("page", async ({ ctx }) => respond(overviewPage(ctx, await stats()))),
    )
    .get(
      "/jobs",
      handle("page", async ({ ctx, url }) => {
        const query = parseJobsQuery(url.searchParams);
        const [figures, found] = await Promise.all([stats(), listJobs(options.jobs, query)]);
        return respond(
          jobsPage(ctx, {
            query,
            ...found,
            names: unique(figures.counts.map((c) => c.name)),
            queues: unique(figures.counts.map((c) => c.queue)),
            bulkCount: bulkCount(figures, query),
            notice: flash(url),
          }),
        );
      }),
    )
    .get(
      "/jobs/:id",
      handle("page", async ({ ctx, params, url }) => {
        const job = await findJob(params.id);
        const [steps, children] = await Promise.all([options.jobs.steps?.(job.id), options.jobs.children?.(job.id)]);
        return respond(jobPage(ctx, job, flash(url), options.jobs, { steps: steps ?? [], children: children ?? [] }));
      }),
    )
    .post(
      "/jobs/bulk/:action",
      handle("action", async ({ form, params }) => {
        const state = form.get("state");
        if (state !== "dead" && state !== "failed")
          throw new HttpProblem(400, "Bulk actions apply to dead or failed jobs only.");
        const act = params.action;
        if (act !== "retry" && act !== "discard") throw new HttpProblem(404, "There is no such bulk action.");
        const filter = { state, name: form.get("name") || undefined, queue: form.get("queue") || undefined } as const;
        const ids = await collectIds(options.jobs, filter);
        const done = await forEach(ids, (id) => (act === "retry" ? options.jobs.retry(id) : options.jobs.discard(id)));
        stats.invalidate();
        logger.info({ action: act, ...filter, jobs: done }, `dashboard bulk ${act}`);
        return backTo(form, `${base}/jobs`, act === "retry" ? "bulk-retried" : "bulk-discarded", done);
      }),
      ownBody,
    )
    .post(
      "/jobs/:id/:action",
      handle("action", async ({ form, params }) => {
        const job = await findJob(params.id);
        const jobs = options.jobs;
        const back = `${base}/jobs/${job.id}`;
        stats.invalidate();
        switch (params.action) {
          case "retry":
            return backTo(form, back, (await jobs.retry(job.id)) ? "retried" : "not-retryable");
          case "run":
            return backTo(form, back, (await jobs.runNow(job.id)) ? "run-now" : "not-runnable");
          case "cancel":
            if (!jobs.cancel) throw new HttpProblem(404, "This jobs service cannot cancel jobs.");
            return backTo(form, back, (await jobs.cancel(job.id)) ? "cancelled" : "not-cancellable");
          case "discard":
            if (await jobs.discard(job.id)) return backTo(form, `${base}/jobs`, "discarded", undefined, back);
            return backTo(form, back, "not-discardable");
          default:
            throw new HttpProblem(404, "There is no such action.");
        }
      }),
      ownBody,
    )
    .get(
      "/queues",
      handle("page", async ({ ctx, url }) => {
        const [figures, pauses] = await Promise.all([stats(), pausesOf(options.jobs)]);
        return respond(queuesPage(ctx, figures, pauses, flash(url)));
      }),
    )
    .post(
      "/queues/:action",
      handle("action", async ({ form, params }) => {
        const { pause, resume } = options.jobs;
        const name = form.get("name") || undefined;
        const queue = form.get("queue") || undefined;
        if ((name === undefined) === (queue === undefined) || (name ?? queue)!.length > 500)
          throw new HttpProblem(400, "Give one job name or one queue.");
        const target = name !== undefined ? { name } : { queue: queue! };
        const back = `${base}/queues`;
        if (params.action === "pause" && pause) {
          await pause.call(options.jobs, target);
          logger.info(target, "dashboard paused");
          return backTo(form, back, "paused");
        }
        if (params.action === "resume" && resume) {
          await resume.call(options.jobs, target);
          logger.info(target, "dashboard resumed");
          return backTo(form, back, "resumed");
        }
        throw new HttpProblem(404, "This jobs service cannot pause and resume.");
      }),
      ownBody,
    )
    .get(
      "/crons",
      handle("page", async ({ ctx, url }) => {
        const cron = options.cron;
        if (!cron) throw new HttpProblem(404, "This dashboard has no cron service.");
        const statuses = await cron.list();
        const rows = await Promise.all(
          statuses.map(async (status) => ({ status, runs: await cron.runs(status.name, { limit: 12 }) })),
        );
        return respond(cronsPage(ctx, rows, flash(url)));
      }),
    )
    .post(
      "/crons/:name/:action",
      handle("action", async ({ form, params }) => {
        const { cron, status } = await findCron(params.name);
        switch (params.action) {
          case "trigger":
            await cron.trigger(status.name);
            stats.invalidate();
            return backTo(form, `${base}/crons`, "triggered");
          case "enable":
            cron.enable(status.name);
            return backTo(form, `${base}/crons`, "enabled");
          case "disable":
            cron.disable(status.name);
            return backTo(form, `${base}/crons`, "disabled");
          default:
            throw new HttpProblem(404, "There is no such action.");
        }
      }),
      ownBody,
    )
    .get("/assets/:file", ({ params, set }) => {
      Object.assign(set.headers as Record<string, string>, securityHeaders);
      const asset = assets.get(params.file);
      if (!asset) return respond(errorPage(null, base, 404, "There is no such file."), 404);
      return new Response(asset.body, {
        headers: {
          ...securityHeaders,
          "content-type": asset.type,
          // The file name changes with the content.
          "cache-control": "public, max-age=31536000, immutable",
        },
      });
    });

  if (tokens) {
    const nextOf = (request: Request) => {
      const next = new URL(request.url).searchParams.get("next");
      return next && (next === base || next.startsWith(`${base}/`)) && !next.startsWith("//") && next.length < 2000
        ? next
        : null;
    };
    const login = (request: Request, problem: string | null, status: number, headers: Record<string, string> = {}) =>
      respond(loginPage(base, title, problem, nextOf(request)), status, { "x-errand-page": "login", ...headers });
    app
      .get("/login", async ({ request, set }) => {
        Object.assign(set.headers as Record<string, string>, securityHeaders);
        if (await tokens.read(readCookie(request, sessionCookie))) return redirect(`${base}/`);
        return login(request, null, 200);
      })
      .post(
        "/login",
        async ({ request, set, server }) => {
          Object.assign(set.headers as Record<string, string>, securityHeaders);
          try {
            const form = await readForm(request);
            // A login CSRF would sign the victim in to a session the attacker knows.
            if (!sameOrigin(request, allowedOrigins))
              throw new HttpProblem(403, "This request came from another site and was refused.");
            const client = clientOf(request, server);
            const waitMs = tokens.failures.retryAfterMs(client);
            if (waitMs > 0)
              return login(request, "Too many wrong tokens from this address; try again later.", 429, {
                "retry-after": String(Math.ceil(waitMs / 1000)),
              });
            if (!(await tokens.matches(form.get("token") ?? ""))) {
              tokens.failures.fail(client);
              logger.warn({ client }, "dashboard sign-in with a wrong token");
              return login(request, "That token is not valid.", 401);
            }
            tokens.failures.succeed(client);
            const opened = await tokens.open();
            const next = new URL(request.url).searchParams.get("next");
            const target =
              next && (next === base || next.startsWith(`${base}/`)) && !next.startsWith("//") ? next : `${base}/`;
            return redirect(target, {
              "set-cookie": cookie(request, sessionCookie, opened.cookie, Math.floor(tokens.sessionTtlMs / 1000)),
            });
          } catch (error) {
            if (error instanceof HttpProblem)
              return error.response(() => errorPage(null, base, error.status, error.message));
            logger.error({ err: error }, "dashboard sign-in failed");
            return respond(errorPage(null, base, 500, "Signing in failed. The error is in the server log."), 500);
          }
        },
        ownBody,
      )
      .post(
        "/logout",
        handle("action", async ({ request }) => {
          await tokens.close(readCookie(request, sessionCookie));
          return redirect(`${base}/login`, { "set-cookie": cookie(request, sessionCookie, "", 0) });
        }),
        ownBody,
      );
  }

  return app.all("/*", ({ set }) => {
    Object.assign(set.headers as Record<string, string>, securityHeaders);
    return respond(errorPage(null, base, 404, "There is no such page."), 404);
  });
}

/**
 * A NUL character (U+0000) in a path parameter, the query or the form: no job name, queue or key can
 * hold one (PostgreSQL text refuses it), so it is a bad request, not a store error.
 */
function refuseNul({ params, url, form }: Call): void {
  const inputs = [...Object.entries(params), ...url.searchParams, ...form];
  const found = inputs.find(([key, value]) => key.includes("\u0000") || value.includes("\u0000"));
  if (found)
    throw new HttpProblem(
      400,
      `The field "${found[0].replaceAll("\u0000", "")}" holds a NUL character, which no job name, queue or key can contain.`,
    );
}

function normalizePrefix(prefix: string): string {
  if (prefix !== "" && (!prefix.startsWith("/") || prefix.includes("//") || /[?#\\\s]/.test(prefix)))
    throw new TypeError(`dashboard: prefix must be a path like "/admin", got ${JSON.stringify(prefix)}.`);
  return prefix.replace(/\/+$/, "");
}

async function readForm(request: Request): Promise<URLSearchParams> {
  refuseOtherBodies(request);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxFormBytes) throw new HttpProblem(413, "The form is too large.");
  const text = await request.text();
  if (text.length > maxFormBytes) throw new HttpProblem(413, "The form is too large.");
  return new URLSearchParams(text);
}

/**
 * The dashboard's forms are urlencoded; a multipart or JSON body (a script's) would read as an empty
 * form, so the right token would count as a wrong one. A body of another type is a 415 in JSON, for the
 * script that sent it; none (no content-type) is an empty form.
 */
function refuseOtherBodies(request: Request): void {
  const type = request.headers.get("content-type");
  if (type === null || type.split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded") return;
  throw new HttpProblem(
    415,
    `The form must be sent as application/x-www-form-urlencoded, got ${JSON.stringify(type.split(";")[0])}.`,
    {},
    true,
  );
}

/** Decimal ids that fit a PostgreSQL bigint: anything else names no job (and must not reach a query). */
export function isJobId(id: string): boolean {
  return /^[0-9]{1,19}$/.test(id) && BigInt(id) <= maxBigint;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseJobsQuery(params: URLSearchParams): JobsQuery {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value && value.length <= 500 ? value : undefined;
  };
  const state = params.get("state");
  const cursor = params.get("cursor");
  const limit = Number(params.get("limit") ?? defaultLimit);
  const page = Number(params.get("page") ?? 1);
  const name = text("name");
  const queue = text("queue");
  const q = text("q");
  return {
    ...(state && (jobStates as readonly string[]).includes(state) ? { state: state as JobState } : {}),
    ...(name ? { name } : {}),
    ...(queue ? { queue } : {}),
    ...(q ? { q } : {}),
    order: params.get("order") === "oldest" ? "oldest" : "newest",
    ...(cursor && isJobId(cursor) ? { cursor } : {}),
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
    limit: Number.isSafeInteger(limit) ? Math.min(200, Math.max(10, limit)) : defaultLimit,
  };
}

/** A search finds the job with that id and the job holding that key; otherwise one page of the filter. */
async function listJobs(
  jobs: DashboardJobs,
  query: JobsQuery,
): Promise<{ jobs: JobRecord[]; nextCursor: string | null }> {
  const filter = {
    ...(query.state ? { state: query.state } : {}),
    ...(query.name ? { name: query.name } : {}),
    ...(query.queue ? { queue: query.queue } : {}),
  };
  if (query.q !== undefined) {
    const [byId, byKey] = await Promise.all([
      isJobId(query.q) ? jobs.get(query.q) : null,
      jobs.list({ ...filter, key: query.q, limit: 1 }),
    ]);
    const matches = (job: JobRecord) =>
      (!filter.state || job.state === filter.state) &&
      (!filter.name || job.name === filter.name) &&
      (!filter.queue || job.queue === filter.queue);
    const found = [...(byId && matches(byId) ? [byId] : []), ...byKey.jobs.filter((job) => job.id !== byId?.id)];
    return { jobs: found, nextCursor: null };
  }
  const page = await jobs.list({
    ...filter,
    limit: query.limit,
    order: query.order,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { jobs: page.jobs, nextCursor: page.nextCursor };
}

function bulkCount(stats: JobStatsView, query: JobsQuery): number | null {
  if (query.state !== "dead" && query.state !== "failed") return null;
  return stats.counts
    .filter(
      (c) =>
        c.state === query.state && (!query.name || c.name === query.name) && (!query.queue || c.queue === query.queue),
    )
    .reduce((sum, c) => sum + c.count, 0);
}

/** Every id under the filter (up to bulkLimit), collected before acting: acting while paging would move jobs under the cursor. */
async function collectIds(
  jobs: DashboardJobs,
  filter: { state: JobState; name: string | undefined; queue: string | undefined },
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await jobs.list({
      state: filter.state,
      ...(filter.name ? { name: filter.name } : {}),
      ...(filter.queue ? { queue: filter.queue } : {}),
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...page.jobs.map((job) => job.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && ids.length < bulkLimit);
  return ids.slice(0, bulkLimit);
}

/** Runs `act` on every id, a few at a time; returns how many it did something to. */
async function forEach(ids: readonly string[], act: (id: string) => Promise<boolean>): Promise<number> {
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) if (await act(ids[next++]!)) done++;
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return done;
}

/** The pauses in force; null when the service or its store cannot pause (the page then offers no control). */
async function pausesOf(jobs: DashboardJobs) {
  if (!jobs.paused || !jobs.pause || !jobs.resume) return null;
  try {
    return await jobs.paused();
  } catch (error) {
    if (error instanceof Error && error.name === "PauseUnsupportedError") return null;
    throw error;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** One load shared by concurrent callers and reused for `ttlMs`; a failed load is not kept. */
function cached<T>(load: () => Promise<T>, ttlMs: number) {
  let value: { at: number; promise: Promise<T> } | undefined;
  const get = () => {
    const now = Date.now();
    if (!value || now - value.at >= ttlMs) {
      const promise = load();
      const entry = { at: now, promise };
      value = entry;
      promise.catch(() => {
        if (value === entry) value = undefined;
      });
    }
    return value.promise;
  };
  return Object.assign(get, {
    invalidate: () => {
      value = undefined;
    },
  });
}
