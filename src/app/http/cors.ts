import { Elysia } from "elysia";

/**
 * CORS for an explicit list of origins (off when the list is empty: no CORS headers at all, so
 * browsers on other origins cannot read responses). Preflights are answered here with 204.
 */
export function cors(origins: readonly string[]) {
  const allowed = new Set(origins);
  const plugin = new Elysia({ name: "app.cors" });
  if (allowed.size === 0) return plugin;
  return plugin.onRequest(({ request, set }) => {
    const origin = request.headers.get("origin");
    if (!origin || !(allowed.has(origin) || allowed.has("*"))) return;
    set.headers["access-control-allow-origin"] = origin;
    set.headers.vary = "Origin";
    set.headers["access-control-expose-headers"] = "x-request-id, location, retry-after";
    if (request.method !== "OPTIONS") return;
    return new Response(null, {
      status: 204,
      headers: {
        "access-control-allow-origin": origin,
        vary: "Origin",
        "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
        "access-control-allow-headers":
          request.headers.get("access-control-request-headers") ?? "content-type, authorization",
        "access-control-max-age": "600",
      },
    });
  });
}
