import { Elysia } from "elysia";
import { isAdminBearer } from "../admin/admin-auth.ts";
import { UnauthorizedError } from "../http/errors.ts";
import { requestInfo } from "../http/request-context.ts";
import type { AppMetrics } from "./app-metrics.ts";

/**
 * GET /metrics in Prometheus text format, plus the per-request timing that feeds it. Protected by
 * METRICS_TOKEN or ADMIN_TOKEN when either is set (either token works); open otherwise.
 */
export function metricsRoutes(metrics: AppMetrics, tokens: readonly (string | undefined)[]) {
  const accepted = tokens.filter((token): token is string => token !== undefined);
  return new Elysia({ name: "app.metrics" })
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const info = requestInfo(request);
      if (!info) return;
      const status = typeof set.status === "number" ? set.status : 200;
      metrics.observeRequest(request.method, route || "unmatched", status, (performance.now() - info.startedAt) / 1000);
    })
    .get(
      "/metrics",
      async ({ request }) => {
        const authorization = request.headers.get("authorization");
        if (accepted.length && !accepted.some((token) => isAdminBearer(authorization, token)))
          throw new UnauthorizedError();
        return new Response(await metrics.text(), { headers: { "content-type": metrics.contentType } });
      },
      {
        detail: { tags: ["operations"], summary: "Prometheus metrics (bearer METRICS_TOKEN or ADMIN_TOKEN when set)" },
      },
    );
}
