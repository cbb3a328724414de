import { Elysia } from "elysia";
import { constantTimeEqual } from "../auth/secrets.ts";
import { UnauthorizedError } from "../http/errors.ts";

export function isAdminBearer(authorization: string | null, adminToken: string): boolean {
  const presented = authorization?.match(/^Bearer (.+)$/)?.[1];
  return presented !== undefined && constantTimeEqual(presented, adminToken);
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
