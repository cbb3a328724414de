import { Elysia } from "elysia";
import { PayloadTooLargeError } from "./errors.ts";

/**
 * Refuses bodies over the limit from their declared length, before anything reads them. Bodies sent
 * without a length (chunked) are capped by the server's own maxRequestBodySize (see create-app).
 */
export function bodyLimit(limitBytes: number) {
  return new Elysia({ name: "app.body-limit" }).onRequest(({ request }) => {
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  });
}
