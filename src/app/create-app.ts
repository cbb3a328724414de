import { Elysia } from "elysia";
import { type Clock, systemClock } from "../clock/index.ts";
import { hosting } from "../elysia/index.ts";
import { mailPreview } from "../elysia/mail-preview.ts";
import type { HostedService } from "../hosting/index.ts";
import type { AdminCrons, AdminJobs } from "./admin/admin-ports.ts";
import { adminRoutes } from "./admin/admin-routes.ts";
import { dashboardRoutes } from "./admin/dashboard-routes.ts";
import { AccessTokens } from "./auth/access-token.ts";
import { AuthService } from "./auth/auth-service.ts";
import { authRoutes } from "./auth/routes.ts";
import type { AppConfig } from "./config.ts";
import { bodyLimit } from "./http/body-limit.ts";
import { cors } from "./http/cors.ts";
import { errorHandler } from "./http/error-handler.ts";
import { health } from "./http/health.ts";
import { RateLimiter } from "./http/rate-limit.ts";
import { requestContext } from "./http/request-context.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { swagger } from "./http/swagger.ts";
import type { AppLogger } from "./logger.ts";
import { metricsRoutes } from "./metrics/metrics-routes.ts";
import type { AppRuntime } from "./runtime/index.ts";
import { usersRoutes } from "./users/routes.ts";
import { UserService } from "./users/user-service.ts";

export const APP_VERSION = "0.1.0";

export interface AppDeps {
  logger: AppLogger;
  runtime: AppRuntime;
  clock?: Clock;
  /** Extra hosted services to run with the app's own (tests add probes here). */
  services?: HostedService[];
}

/**
 * Builds the reference app without listening: tests call `app.handle(request)` and start/stop
 * `app.decorator.host` themselves; main.ts hands it to `serve()`.
 */
export function createApp(config: AppConfig, deps: AppDeps) {
  const { runtime, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const production = config.nodeEnv === "production";
  const users = new UserService(runtime.repository, clock, {
    publicUrl: config.publicUrl,
    confirmTokenTtlMs: config.confirmTokenTtlSeconds * 1000,
    resendIntervalMs: config.resendConfirmationIntervalMs,
  });
  const accessTokens = new AccessTokens(config.authSecret, config.accessTokenTtlSeconds);
  const auth = new AuthService(runtime.repository, accessTokens, clock, config.refreshTokenTtlSeconds * 1000);
  const limiter = new RateLimiter(config.rateLimitMax, config.rateLimitWindowMs, clock);
  const adminJobs: AdminJobs = {
    counts: () => runtime.jobs.store.counts(),
    list: (options) => runtime.jobs.list(options),
    get: (id) => runtime.jobs.get(id),
    retry: (id) => runtime.jobs.retry(id),
    discard: (id) => runtime.jobs.discard(id),
  };
  const adminCrons: AdminCrons = runtime.crons;

  return new Elysia({
    name: "errand.app",
    // A backstop for bodies sent without content-length; declared lengths get the JSON 413 first.
    serve: { maxRequestBodySize: config.bodyLimitBytes * 2 + 1024 * 1024 },
  })
    .use(
      hosting({
        services: [...runtime.services, ...(deps.services ?? [])],
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        onServiceFailure: "stop-host",
        logger,
      }),
    )
    .use(requestContext(logger))
    .use(securityHeaders)
    .use(cors(config.corsOrigins))
    .use(errorHandler({ production }))
    .use(bodyLimit(config.bodyLimitBytes))
    .use(metricsRoutes(runtime.metrics, [config.metricsToken, config.adminToken]))
    .use(config.swaggerEnabled ? swagger({ version: APP_VERSION }) : new Elysia({ name: "app.swagger" }))
    .use(
      runtime.previewStore && config.devRoutesEnabled
        ? mailPreview({ store: runtime.previewStore, enabled: true })
        : new Elysia({ name: "errand.mail-preview" }),
    )
    .use((app) => app.use(health(app.decorator.host)))
    .use(usersRoutes({ users, auth, limiter }))
    .use(authRoutes({ auth, limiter }))
    .use(
      config.adminToken
        ? adminRoutes({ adminToken: config.adminToken, jobs: adminJobs, crons: adminCrons })
        : new Elysia({ name: "app.admin.api" }),
    )
    .use(
      config.adminToken
        ? dashboardRoutes({
            adminToken: config.adminToken,
            jobs: adminJobs,
            crons: adminCrons,
            secureCookie: config.publicUrl.startsWith("https:"),
          })
        : new Elysia({ name: "app.admin.dashboard" }),
    );
}

export type App = ReturnType<typeof createApp>;
