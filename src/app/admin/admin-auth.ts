import { Elysia } from "elysia";
import { constantTimeEqual } from "../auth/secrets.ts";
import { UnauthorizedError } from "../http/errors.ts";

export const SESSION_COOKIE = "errand_admin";

/**
 * The dashboard's cookie holds a value derived from the token, not the token itself, so a leaked
 * cookie does not reveal the API credential; rotating ADMIN_TOKEN invalidates every session.
 */
export function sessionValue(adminToken: string): string {
  return new Bun.CryptoHasher("sha256", adminToken).update("errand-admin-dashboard-session").digest("hex");
}

export function isAdminBearer(authorization: string | null, adminToken: string): boolean {
  const presented = authorization?.match(/^Bearer (.+)$/)?.[1];
  return presented !== undefined && constantTimeEqual(presented, adminToken);
}

export function hasAdminSession(cookieHeader: string | null, adminToken: string): boolean {
  const value = readCookie(cookieHeader, SESSION_COOKIE);
  return value !== undefined && constantTimeEqual(value, sessionValue(adminToken));
}

function readCookie(header: string | null, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/**
 * Guards the routes of the plugin it is used in: 401 without a valid bearer token (no hint which part
 * failed). Checked in transform, before validation, so a caller without the token gets 401 for every
 * path, not a 422 that tells a well-formed id from a malformed one.
 */
export function requireAdminBearer(adminToken: string) {
  return new Elysia({ name: "app.admin.bearer" }).onTransform({ as: "scoped" }, ({ request }) => {
    if (!isAdminBearer(request.headers.get("authorization"), adminToken)) throw new UnauthorizedError();
  });
}
