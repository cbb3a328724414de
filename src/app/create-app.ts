import { Elysia } from "elysia";
import { type Clock, type Jobs, systemClock } from "errand";
import { dashboard, tokenAuth } from "errand/dashboard";
import { cron, hosting, jobs, mailer, mailPreview } from "errand/elysia";
import type { PreviewStore } from "errand/mail";
import { adminRoutes } from "./admin/admin-routes.ts";
import { requireAdminToken } from "./admin/preview-auth.ts";
import { AccessTokens } from "./auth/access-token.ts";
import { AuthService } from "./auth/auth-service.ts";
import { RefreshTokenChain } from "./auth/refresh-tokens.ts";
import { authRoutes } from "./auth/routes.ts";
import type { AppConfig } from "./config.ts";
import type { RouteLike } from "./http/allowed-methods.ts";
import { bodyLimit, serverBodyLimit } from "./http/body-limit.ts";
import { clientAddress, type TrustProxy } from "./http/client-address.ts";
import { cors } from "./http/cors.ts";
import { errorHandler } from "./http/error-handler.ts";
import { health } from "./http/health.ts";
import { type HomeLinks, home } from "./http/home.ts";
import { rejectNul } from "./http/no-nul.ts";
import { RateLimiter } from "./http/rate-limit.ts";
import { requestContext } from "./http/request-context.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { swagger } from "./http/swagger.ts";
import type { TokenFailures } from "./http/token-guard.ts";
import type { AppLogger } from "./logger.ts";
import { metricsRoutes } from "./metrics/metrics-routes.ts";
import type { AppRuntime } from "./runtime/index.ts";
import type { httpTracing } from "./tracing.ts";
import { confirmPage } from "./users/confirm-page.ts";
import { usersRoutes } from "./users/routes.ts";
import { UserService } from "./users/user-service.ts";

export const APP_VERSION = "0.1.0";

export interface AppDeps {
  logger: AppLogger;
  runtime: AppRuntime;
  clock?: Clock;
  /**
   * HTTP spans when tracing is on (config.tracing): `httpTracing()` from ./tracing.ts. Given rather than
   * imported here because it loads the OpenTelemetry SDK, a large part of the app's start that only
   * instances that trace should pay for (main.ts imports it only then).
   */
  httpTracing?: ReturnType<typeof httpTracing> | undefined;
}

/**
 * Builds the reference app without listening: tests call `app.handle(request)` and start/stop
 * `app.decorator.host` themselves; main.ts hands it to `serve()`. The background work joins the app
 * the way any Errand user's does: hosting, then the jobs, mailer and cron plugins.
 */
export function createApp(config: AppConfig, deps: AppDeps) {
  const { runtime, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const production = config.nodeEnv === "production";
  const users = new UserService(runtime.repository, clock, {
    links: runtime.links,
    confirmTokenTtlMs: config.confirmTokenTtlSeconds * 1000,
    resendIntervalMs: config.resendConfirmationIntervalMs,
  });
  const accessTokens = new AccessTokens(config.authSecret, config.accessTokenTtlSeconds);
  const auth = new AuthService(runtime.repository, accessTokens, clock, {
    refreshTokens: new RefreshTokenChain(config.authSecret),
    refreshTtlMs: config.refreshTokenTtlSeconds * 1000,
    reuseIntervalMs: config.refreshReuseIntervalSeconds * 1000,
  });
  const limiter = new RateLimiter(config.rateLimitMax, config.rateLimitWindowMs, clock, config.trustProxy);
  const links = devLinks(config, runtime);
  // One count of wrong tokens per client for every route that takes ADMIN_TOKEN (dashboard, /metrics,
  // /dev/mail), so guesses spread over them share one limit. With METRICS_TOKEN alone, /metrics counts its own.
  const limitedToken = config.adminToken ?? config.metricsToken;
  const tokenAuthority = limitedToken ? tokenAuth({ token: limitedToken, clock }) : undefined;
  const tokenFailures = tokenAuthority?.failures;
  // Routes enqueue outside any transaction (the outbox writes go through the repository), so the
  // plugins see the jobs service without the dialect's transaction type: `tx` cannot be passed.
  const background: Jobs<never> = runtime.jobs;
  // The error handler's 405s read the routes of the app built below (and of any added to it later).
  let routes: () => Iterable<RouteLike> = () => [];

  const app = new Elysia({
    name: "errand.app",
    // The body limit is the app's (bodyLimit below), so that every over-limit body gets its JSON 413.
    serve: { ...serverBodyLimit },
  })
    // First, so every request runs inside its HTTP span and the jobs it enqueues join that trace.
    .use(deps.httpTracing ?? new Elysia())
    .use(hosting({ shutdownTimeoutMs: config.shutdownTimeoutMs, onServiceFailure: "stop-host", logger }))
    .use(jobs(background))
    .use(mailer({ job: runtime.mailJob, jobs: background }))
    .use(cron(runtime.crons))
    .use(requestContext(logger))
    .use(securityHeaders)
    .use(cors(config.corsOrigins))
    .use(errorHandler({ production, routes: () => routes() }))
    .use(bodyLimit(config.bodyLimitBytes))
    .use(
      metricsRoutes(runtime.metrics, [config.metricsToken, config.adminToken], {
        failures: tokenFailures,
        trustProxy: config.trustProxy,
      }),
    )
    .use(config.swaggerEnabled ? swagger({ version: APP_VERSION, admin: Boolean(config.adminToken) }) : new Elysia())
    .use(
      links.mail && runtime.previewStore
        ? devMail(
            runtime.previewStore,
            config.adminToken && tokenFailures
              ? { token: config.adminToken, failures: tokenFailures, trustProxy: config.trustProxy }
              : undefined,
          )
        : new Elysia(),
    )
    .use(config.devRoutesEnabled ? home(links) : new Elysia())
    .use((app) => app.use(health(app.decorator.host)))
    .use(
      // The JSON API: one guard keeps NUL characters, which PostgreSQL text refuses, out of every route's
      // inputs (the dashboard checks its own).
      new Elysia({ name: "app.api" })
        .use(rejectNul)
        .use(usersRoutes({ users, auth, limiter }))
        .use(confirmPage({ users, limiter }))
        .use(authRoutes({ auth, limiter }))
        .use(
          config.adminToken
            ? adminRoutes({
                adminToken: config.adminToken,
                jobs: runtime.jobs,
                crons: runtime.crons,
                limiter: new RateLimiter(config.adminRateLimitMax, config.rateLimitWindowMs, clock, config.trustProxy),
              })
            : new Elysia(),
        ),
    )
    .use(
      config.adminToken
        ? dashboard({
            jobs: runtime.jobs,
            cron: runtime.crons,
            prefix: "/admin",
            // Built from ADMIN_TOKEN here: limitedToken is ADMIN_TOKEN whenever it is set.
            authorize: tokenAuthority ?? tokenAuth({ token: config.adminToken, clock }),
            secureCookies: config.publicUrl.startsWith("https:"),
            allowedOrigins: [new URL(config.publicUrl).origin],
            // Behind a proxy every socket peer is the proxy: count failed logins per client, as TRUST_PROXY says.
            clientKey: (request, server) =>
              clientAddress(
                server?.requestIP(request)?.address,
                request.headers.get("x-forwarded-for"),
                config.trustProxy,
              ),
            logger,
          })
        : new Elysia(),
    );
  routes = () => app.routes;
  return app;
}

/** The mail preview: open on a developer's machine without ADMIN_TOKEN, behind it whenever it is set. */
function devMail(
  store: PreviewStore,
  admin: { token: string; failures: TokenFailures; trustProxy: TrustProxy } | undefined,
) {
  const preview = mailPreview({ store, enabled: true });
  return admin
    ? new Elysia({ name: "app.dev-mail" })
        .use(requireAdminToken(admin.token, admin.failures, admin.trustProxy))
        .use(preview)
    : preview;
}

/** The development pages this configuration mounts: main.ts prints them on start, GET / lists them. */
export function devLinks(config: AppConfig, runtime: Pick<AppRuntime, "previewStore">): HomeLinks {
  return {
    ...(config.swaggerEnabled ? { docs: "/swagger" } : {}),
    ...(config.devRoutesEnabled && runtime.previewStore ? { mail: "/dev/mail" } : {}),
  };
}

export type App = ReturnType<typeof createApp>;
