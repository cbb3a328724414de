import { Elysia } from "elysia";
import { UnsupportedMediaTypeError } from "./errors.ts";

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/**
 * The API speaks JSON only: a body in another media type is a 415 rather than being parsed as text
 * and then failing validation with a confusing message. A request without a body passes.
 */
export const jsonOnly = new Elysia({ name: "app.json-only" }).onParse({ as: "scoped" }, ({ request }) => {
  if (!METHODS_WITH_BODY.has(request.method)) return;
  const type = request.headers.get("content-type");
  if (type === null) return;
  // Returning nothing hands the body to Elysia's own JSON parser.
  if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError(type);
});
