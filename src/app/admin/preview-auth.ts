import { Elysia } from "elysia";
import { constantTimeEqual } from "../auth/secrets.ts";
import { HttpError } from "../http/errors.ts";

const CHALLENGE = 'Basic realm="Errand mail preview", charset="UTF-8"';

/**
 * Guards the routes of the plugin it is used in (the /dev/mail preview, which shows every mail with its
 * confirmation link) with ADMIN_TOKEN. A browser asks for it through Basic auth (any user name, the
 * token as password); scripts may send it as a bearer token. Checked before validation, so a caller
 * without the token learns nothing about the routes.
 */
export function requireAdminToken(adminToken: string) {
  return new Elysia({ name: "app.admin.preview-auth" }).onTransform({ as: "scoped" }, ({ request }) => {
    const presented = presentedToken(request.headers.get("authorization"));
    if (presented === undefined || !constantTimeEqual(presented, adminToken)) throw unauthorized();
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
