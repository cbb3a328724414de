import { constantTimeEqual } from "../auth/secrets.ts";
import type { TrustProxy } from "../http/client-address.ts";
import { HttpError } from "../http/errors.ts";
import { type TokenFailures, tokenGuard } from "../http/token-guard.ts";

const CHALLENGE = 'Basic realm="Errand mail preview", charset="UTF-8"';

/**
 * Guards the routes of the plugin it is used in (the /dev/mail preview, which shows every mail with its
 * confirmation link) with ADMIN_TOKEN. A browser asks for it through Basic auth (any user name, the
 * token as password); scripts may send it as a bearer token. Wrong tokens count in `failures`, the
 * dashboard's limit for ADMIN_TOKEN.
 */
export function requireAdminToken(adminToken: string, failures: TokenFailures, trustProxy: TrustProxy) {
  return tokenGuard({
    name: "preview",
    failures,
    trustProxy,
    accepts: (request) => {
      const presented = presentedToken(request.headers.get("authorization"));
      return presented !== undefined && constantTimeEqual(presented, adminToken);
    },
    refuse: unauthorized,
  });
}

function presentedToken(authorization: string | null): string | undefined {
  const [scheme, value] = authorization?.split(" ", 2) ?? [];
  if (value === undefined) return undefined;
  if (scheme?.toLowerCase() === "bearer") return value;
  if (scheme?.toLowerCase() !== "basic") return undefined;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

function unauthorized(): HttpError {
  return new HttpError(401, "unauthorized", "Missing or invalid credentials.", { "www-authenticate": CHALLENGE });
}
