import { Elysia } from "elysia";
import { bearerTokens, metricsRoute } from "errand/metrics";
import type { TrustProxy } from "../http/client-address.ts";
import { UnauthorizedError } from "../http/errors.ts";
import { requestInfo } from "../http/request-context.ts";
import { type TokenFailures, tokenGuard } from "../http/token-guard.ts";
import type { AppMetrics } from "./app-metrics.ts";

/**
 * GET /metrics in Prometheus text format (errand/metrics' route), plus the per-request timing that
 * feeds it. Protected by METRICS_TOKEN or ADMIN_TOKEN when either is set (either token works); open otherwise.
 * Wrong tokens count in `failures` (with ADMIN_TOKEN set, the dashboard's limit, shared by every route
 * that takes that token).
 */
export function metricsRoutes(
  metrics: AppMetrics,
  tokens: readonly (string | undefined)[],
  limit: { failures: TokenFailures | undefined; trustProxy: TrustProxy },
) {
  const { failures, trustProxy } = limit;
  return new Elysia({ name: "app.metrics" })
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const info = requestInfo(request);
      if (!info) return;
      const status = typeof set.status === "number" ? set.status : 200;
      metrics.observeRequest(request.method, route || "unmatched", status, (performance.now() - info.startedAt) / 1000);
    })
    .use(
      // Without a failure count there is no token to guess: the route is open.
      failures
        ? tokenGuard({
            name: "metrics",
            failures,
            trustProxy,
            accepts: bearerTokens(...tokens),
            refuse: () => new UnauthorizedError("unauthorized", "A valid bearer token is required."),
          })
        : new Elysia(),
    )
    .use(metricsRoute(metrics.registry, { detail: failures ? metricsDocs : {} }));
}

const errorJson = {
  "application/json": {
    schema: {
      type: "object",
      properties: { error: { type: "string" }, message: { type: "string" }, requestId: { type: "string" } },
      required: ["error", "message", "requestId"],
    },
  },
};

/** /metrics in the OpenAPI spec, when a token guards it: bearer security and what it answers. */
const metricsDocs = {
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: "Prometheus text exposition format",
      content: { "text/plain": { schema: { type: "string" } } },
    },
    401: { description: "Missing or wrong token (METRICS_TOKEN or ADMIN_TOKEN)", content: errorJson },
    429: { description: "Too many wrong tokens from this client; see retry-after", content: errorJson },
  },
};
