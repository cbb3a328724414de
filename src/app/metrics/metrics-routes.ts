import { Elysia } from "elysia";
import { bearerTokens, metricsRoute } from "errand/metrics";
import { requestInfo } from "../http/request-context.ts";
import type { AppMetrics } from "./app-metrics.ts";

/**
 * GET /metrics in Prometheus text format (errand/metrics' route), plus the per-request timing that
 * feeds it. Protected by METRICS_TOKEN or ADMIN_TOKEN when either is set (either token works); open otherwise.
 */
export function metricsRoutes(metrics: AppMetrics, tokens: readonly (string | undefined)[]) {
  return new Elysia({ name: "app.metrics" })
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const info = requestInfo(request);
      if (!info) return;
      const status = typeof set.status === "number" ? set.status : 200;
      metrics.observeRequest(request.method, route || "unmatched", status, (performance.now() - info.startedAt) / 1000);
    })
    .use(metricsRoute(metrics.registry, { authorize: bearerTokens(...tokens) }));
}
