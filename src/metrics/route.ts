import { Elysia } from "elysia";
import type { Registry } from "prom-client";
import { ErrandMetrics } from "./metrics.ts";

export interface MetricsRouteOptions {
  /** Default "/metrics". */
  path?: string;
  /** Who may scrape; open when omitted. `bearerTokens(...)` accepts Authorization: Bearer <token>. */
  authorize?: (request: Request) => boolean | Promise<boolean>;
  /**
   * The route's OpenAPI operation, merged over the default (tags and summary): e.g. the `security`
   * and `responses` of the app's scheme, so the docs' "Try it out" sends a token and shows the answer.
   */
  detail?: Record<string, unknown>;
}

/** GET /metrics in Prometheus text format; 401 with a JSON body when `authorize` refuses. */
export function metricsRoute(metrics: ErrandMetrics | Registry, options: MetricsRouteOptions = {}) {
  const path = options.path ?? "/metrics";
  // ErrandMetrics without a registry of the app's makes its own at the first scrape: ask it then.
  const registryOf = () => (metrics instanceof ErrandMetrics ? metrics.registry() : metrics);
  return new Elysia({ name: "errand.metrics", seed: path }).get(
    path,
    async ({ request }) => {
      if (options.authorize && !(await options.authorize(request)))
        return new Response(JSON.stringify({ error: "unauthorized", message: "A valid bearer token is required." }), {
          status: 401,
          headers: { "content-type": "application/json; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"' },
        });
      const registry = await registryOf();
      return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
    },
    { detail: { tags: ["operations"], summary: "Prometheus metrics", ...options.detail } },
  );
}

/**
 * An `authorize` accepting `Authorization: Bearer <token>` for any of the tokens given (unset ones
 * ignored); with none set, everyone. Compares digests, so timing says nothing about the tokens.
 */
export function bearerTokens(...tokens: readonly (string | undefined)[]): (request: Request) => Promise<boolean> {
  const accepted = tokens.filter((token): token is string => typeof token === "string" && token !== "");
  const digests = Promise.all(accepted.map(digest));
  return async (request) => {
    if (accepted.length === 0) return true;
    const presented = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (presented === undefined) return false;
    const mine = await digest(presented);
    let match = false;
    for (const expected of await digests) match = equal(mine, expected) || match;
    return match;
  };
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}
