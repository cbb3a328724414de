import { Elysia, t } from "elysia";
import type { Host } from "errand";

const Ready = t.Object({ status: t.Literal("ready"), state: t.String() });
const NotReady = t.Object({ status: t.Literal("not_ready"), state: t.String(), reasons: t.Array(t.String()) });

/**
 * Liveness says the process answers; readiness says it should get traffic: the host is started and
 * every hosted service reports ready. On SIGTERM it fails for SHUTDOWN_DRAIN_MS while requests are still
 * served, so a load balancer stops sending requests before the server closes.
 */
export function health(host: Host) {
  return new Elysia({ name: "app.health", prefix: "/health", detail: { tags: ["operations"] } })
    .get("/live", () => ({ status: "ok" as const }), {
      response: t.Object({ status: t.Literal("ok") }),
      detail: { summary: "Liveness: 200 while the process runs" },
    })
    .get(
      "/ready",
      ({ status }) => {
        const health = host.health();
        if (health.ready) return { status: "ready" as const, state: health.state };
        return status(503, { status: "not_ready" as const, state: health.state, reasons: health.reasons });
      },
      {
        response: { 200: Ready, 503: NotReady },
        detail: { summary: "Readiness: 200 when the host and every hosted service are ready, else 503 with reasons" },
      },
    );
}
