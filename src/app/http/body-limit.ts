import { Elysia } from "elysia";
import { PayloadTooLargeError } from "./errors.ts";

/**
 * Bun's own cap on request bodies is lifted (`maxRequestBodySize: Infinity`): above it Bun answers by
 * itself, before the app sees the request, with a bare 413 and no JSON. The app enforces the limit
 * instead, for every body, answering the app's JSON 413:
 * - a declared content-length over the limit is refused before anything reads the body (Bun then
 *   discards what arrives and, with `connection: close`, stops reading);
 * - a body without a declared length (chunked) is read through a counter that fails the read as soon
 *   as it passes the limit, so no more than the limit is ever buffered.
 * A declared length within the limit is all Bun reads: bytes past it are not this request's body.
 */
export const serverBodyLimit = { maxRequestBodySize: Number.POSITIVE_INFINITY } as const;

const READERS = ["arrayBuffer", "blob", "bytes", "formData", "json", "text"] as const;

export function bodyLimit(limitBytes: number) {
  return new Elysia({ name: "app.body-limit" }).onRequest(({ request }) => {
    const declared = request.headers.get("content-length");
    if (declared !== null) {
      if (Number(declared) > limitBytes) throw new PayloadTooLargeError(limitBytes);
      return;
    }
    if (request.body) capStreamedBody(request, limitBytes);
  });
}

/**
 * Makes every way of reading the request's body (the stream and each body method Elysia's parsers
 * call) go through a byte counter. Done on the request in place: hooks and WeakMaps (the request
 * context) know the request by identity, so it cannot be swapped for a new one.
 */
function capStreamedBody(request: Request, limitBytes: number): void {
  let received = 0;
  const capped = request.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        // Erroring the stream also cancels the source, so Bun stops taking in the rest.
        if (received > limitBytes) controller.error(new PayloadTooLargeError(limitBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  const contentType = request.headers.get("content-type");
  const buffered = () => new Response(capped, contentType ? { headers: { "content-type": contentType } } : {});
  const properties: PropertyDescriptorMap = { body: { get: () => capped, configurable: true } };
  for (const reader of READERS) properties[reader] = { value: () => buffered()[reader](), configurable: true };
  Object.defineProperties(request, properties);
}
