import { Elysia } from "elysia";
import { hosting } from "../elysia/index.ts";
import type { HostedService } from "../hosting/index.ts";
import type { AppConfig } from "./config.ts";
import { bodyLimit } from "./http/body-limit.ts";
import { cors } from "./http/cors.ts";
import { errorHandler } from "./http/error-handler.ts";
import { health } from "./http/health.ts";
import { requestContext } from "./http/request-context.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { swagger } from "./http/swagger.ts";
import type { AppLogger } from "./logger.ts";

export const APP_VERSION = "0.1.0";

export interface AppDeps {
  logger: AppLogger;
  /** Extra hosted services to run with the app's own (tests add probes here). */
  services?: HostedService[];
}

/**
 * Builds the reference app without listening: tests call `app.handle(request)` and start/stop
 * `app.decorator.host` themselves; main.ts hands it to `serve()`.
 */
export function createApp(config: AppConfig, deps: AppDeps) {
  const production = config.nodeEnv === "production";
  const app = new Elysia({
    name: "errand.app",
    // A backstop for bodies sent without content-length; declared lengths get the JSON 413 first.
    serve: { maxRequestBodySize: config.bodyLimitBytes * 2 + 1024 * 1024 },
  })
    .use(
      hosting({
        services: deps.services ?? [],
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        onServiceFailure: "stop-host",
        logger: deps.logger,
      }),
    )
    .use(requestContext(deps.logger))
    .use(securityHeaders)
    .use(cors(config.corsOrigins))
    .use(errorHandler({ production }))
    .use(bodyLimit(config.bodyLimitBytes));
  const host = app.decorator.host;
  return app
    .use(config.swaggerEnabled ? swagger({ version: APP_VERSION }) : new Elysia({ name: "app.swagger" }))
    .use(health(host));
}

export type App = ReturnType<typeof createApp>;
