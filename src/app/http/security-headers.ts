import { Elysia } from "elysia";

/**
 * Headers every response carries. The CSP fits the server-rendered pages (dashboard, Swagger UI):
 * scripts and styles from this origin only, plus the inline bootstrap Swagger UI needs; framing only
 * by this origin (the /dev/mail preview shows each mail in an iframe).
 */
export const securityHeaders = new Elysia({ name: "app.security-headers" }).onRequest(({ set }) => {
  set.headers["x-content-type-options"] = "nosniff";
  set.headers["x-frame-options"] = "SAMEORIGIN";
  set.headers["referrer-policy"] = "no-referrer";
  set.headers["cross-origin-opener-policy"] = "same-origin";
  set.headers["content-security-policy"] =
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'";
});
