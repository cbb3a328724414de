import { Elysia } from "elysia";
import { UnsupportedMediaTypeError } from "./errors.ts";

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** A body in another media type is a 415, rather than parsed as text and failing validation confusingly. */
function requireJson({ request }: { request: Request }): void {
  if (!METHODS_WITH_BODY.has(request.method)) return;
  const type = request.headers.get("content-type");
  if (type !== null && !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type))
    throw new UnsupportedMediaTypeError(type);
}

/**
 * The API speaks JSON only: each route of the app that uses this plugin checks the media type, then
 * parses the body as JSON (a body without a content type too). The named "json" parser after the
 * check is also what @elysiajs/openapi reads to document the body as application/json with its
 * schema: it skips function parsers, so the check alone would leave `requestBody.content` empty.
 */
export const jsonOnly = new Elysia({ name: "app.json-only" }).guard({ as: "scoped", parse: [requireJson, "json"] });
