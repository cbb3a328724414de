import { Elysia } from "elysia";
import type { AppLogger } from "../logger.ts";

export interface RequestInfo {
  id: string;
  startedAt: number;
  log: AppLogger;
}

/** Accepts a caller's id only when it is short and plain, so it cannot inject into logs or headers. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const requests = new WeakMap<Request, RequestInfo>();

/** The request's id and logger; set for every request, including ones that fail before routing. */
export function requestInfo(request: Request): RequestInfo | undefined {
  return requests.get(request);
}

export function requestIdOf(request: Request): string {
  return requests.get(request)?.id ?? "unknown";
}

/**
 * Gives each request an id (the caller's `x-request-id` when acceptable, else a new UUID), echoes it,
 * binds it to a child logger, and logs one line per request when the response is sent.
 */
export function requestContext(logger: AppLogger) {
  return new Elysia({ name: "app.request-context" })
    .onRequest(({ request, set }) => {
      const offered = request.headers.get("x-request-id");
      const id = offered && ACCEPTABLE_ID.test(offered) ? offered : crypto.randomUUID();
      requests.set(request, { id, startedAt: performance.now(), log: logger.child({ requestId: id }) });
      set.headers["x-request-id"] = id;
    })
    .derive({ as: "global" }, ({ request }) => {
      const info = requests.get(request)!;
      return { requestId: info.id, log: info.log };
    })
    .onAfterResponse({ as: "global" }, ({ request, set, path }) => {
      const info = requests.get(request);
      if (!info) return;
      info.log.info(
        {
          method: request.method,
          path,
          status: typeof set.status === "number" ? set.status : 200,
          durationMs: Math.round((performance.now() - info.startedAt) * 100) / 100,
        },
        "request",
      );
    });
}
