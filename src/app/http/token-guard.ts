import { Elysia } from "elysia";
import type { TokenAuth } from "errand/dashboard";
import { clientAddress, type TrustProxy } from "./client-address.ts";
import { type HttpError, TooManyRequestsError } from "./errors.ts";

/** The dashboard's count of wrong tokens per client: shared, so every surface of one token counts together. */
export type TokenFailures = TokenAuth["failures"];

export interface TokenGuardOptions {
  /** Unique per use: Elysia keeps one plugin per name. */
  name: string;
  failures: TokenFailures;
  trustProxy: TrustProxy;
  /** Whether the request carries a valid token. */
  accepts: (request: Request) => boolean | Promise<boolean>;
  /** The 401 to answer a wrong or missing token with. */
  refuse: () => HttpError;
}

/**
 * Guards the routes of the plugin it is used in with a token, counting wrong ones per client (as
 * TRUST_PROXY names it) in `failures`: a client at the limit gets 429 until its window ends, even with
 * the right token, so a token cannot be guessed without limit through any route that takes it.
 * Checked in transform, before validation, so a caller without the token learns nothing about the routes.
 */
export function tokenGuard({ name, failures, trustProxy, accepts, refuse }: TokenGuardOptions) {
  return new Elysia({ name: `app.token-guard.${name}` }).onTransform({ as: "scoped" }, async ({ request, server }) => {
    const client = clientAddress(
      server?.requestIP(request)?.address,
      request.headers.get("x-forwarded-for"),
      trustProxy,
    );
    const waitMs = failures.retryAfterMs(client);
    if (waitMs > 0) throw new TooManyRequestsError(Math.ceil(waitMs / 1000));
    if (await accepts(request)) return;
    failures.fail(client);
    throw refuse();
  });
}
