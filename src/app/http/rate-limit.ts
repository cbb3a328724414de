import { Elysia } from "elysia";
import type { Clock } from "errand";
import { clientAddress, type TrustProxy, trustNobody } from "./client-address.ts";
import { TooManyRequestsError } from "./errors.ts";

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed-window counter per key (here: client IP and route group). In memory, per process: enough to
 * stop one client hammering register/token from one instance; a fleet behind a proxy would rate
 * limit at the proxy as well. Behind a proxy, `trustProxy` says whose X-Forwarded-For names the client;
 * otherwise every client would share the proxy's window.
 */
export class RateLimiter {
  readonly #windows = new Map<string, Window>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
    private readonly trustProxy: TrustProxy = trustNobody,
  ) {}

  /** The address a request's hits count against. */
  clientOf(request: Request, peer: string | undefined): string {
    return clientAddress(peer, request.headers.get("x-forwarded-for"), this.trustProxy);
  }

  /** Counts one hit; throws TooManyRequestsError with the seconds until the window resets. */
  hit(key: string): void {
    const now = this.clock.now();
    let window = this.#windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (this.#windows.size > 10_000) this.#evictExpired(now);
      window = { startedAt: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    if (window.count > this.max) {
      throw new TooManyRequestsError(Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000)));
    }
  }

  #evictExpired(now: number): void {
    for (const [key, window] of this.#windows) if (now - window.startedAt >= this.windowMs) this.#windows.delete(key);
  }
}

/**
 * Rate-limits the routes of the plugin it is used in, per client IP, under `group`. Counted before
 * validation and before any credential check used after it, so malformed requests and wrong guesses
 * count too.
 */
export function rateLimit(group: string, limiter: RateLimiter) {
  return new Elysia({ name: `app.rate-limit.${group}` }).onTransform({ as: "scoped" }, ({ request, server }) => {
    limiter.hit(`${group}:${limiter.clientOf(request, server?.requestIP(request)?.address)}`);
  });
}
