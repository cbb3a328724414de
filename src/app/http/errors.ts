/**
 * Errors a route throws to answer with a specific status. The error plugin turns each into the
 * app's one JSON error shape: `{ error: <code>, message, requestId, ... }`.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class BadRequestError extends HttpError {
  override name = "BadRequestError";
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}

/** Deliberately vague: says neither which credential was wrong nor whether the account exists. */
export class UnauthorizedError extends HttpError {
  override name = "UnauthorizedError";
  constructor(code = "unauthorized", message = "Missing or invalid credentials.") {
    super(401, code, message, { "www-authenticate": "Bearer" });
  }
}

export class ForbiddenError extends HttpError {
  override name = "ForbiddenError";
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

export class NotFoundError extends HttpError {
  override name = "NotFoundError";
  constructor(message = "Not found.") {
    super(404, "not_found", message);
  }
}

export class ConflictError extends HttpError {
  override name = "ConflictError";
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class PayloadTooLargeError extends HttpError {
  override name = "PayloadTooLargeError";
  constructor(limitBytes: number) {
    // The rest of the body may still be on its way: closing the connection stops it being read.
    super(413, "payload_too_large", `The request body is larger than the limit of ${limitBytes} bytes.`, {
      connection: "close",
    });
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  override name = "UnsupportedMediaTypeError";
  constructor(received: string) {
    super(415, "unsupported_media_type", `Expected content-type application/json, got ${JSON.stringify(received)}.`);
  }
}

export class TooManyRequestsError extends HttpError {
  override name = "TooManyRequestsError";
  constructor(readonly retryAfterSeconds: number) {
    super(429, "rate_limited", `Too many requests; retry after ${retryAfterSeconds} s.`, {
      "retry-after": String(retryAfterSeconds),
    });
  }
}
