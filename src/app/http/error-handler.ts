import { Elysia, type ValidationError } from "elysia";
import { allowedMethods, type RouteLike } from "./allowed-methods.ts";
import { HttpError } from "./errors.ts";
import { type FieldProblem, FieldValidationError } from "./no-nul.ts";
import { requestInfo } from "./request-context.ts";

/**
 * Maps every failure to the app's JSON error shape and status: malformed JSON 400, schema failures
 * 422 with each field, unknown routes 404 (405 with Allow when the path has routes for other methods),
 * the app's HttpErrors their own status, anything else 500 with the request id (and, outside
 * production, the message and stack to debug with). `routes` reads the finished app's routes.
 */
export function errorHandler(options: { production: boolean; routes?: () => Iterable<RouteLike> }) {
  return new Elysia({ name: "app.error-handler" }).onError({ as: "global" }, ({ code, error, request, set, path }) => {
    const info = requestInfo(request);
    const requestId = info?.id ?? "unknown";
    const reply = (status: number, body: Record<string, unknown>) => {
      set.status = status;
      set.headers["content-type"] = "application/json; charset=utf-8";
      return { ...body, requestId };
    };

    const httpError = asHttpError(error);
    if (httpError) {
      Object.assign(set.headers, httpError.headers);
      const fields = httpError instanceof FieldValidationError ? { fields: httpError.fields } : {};
      return reply(httpError.status, { error: httpError.code, message: httpError.message, ...fields });
    }
    switch (code) {
      case "PARSE":
        return reply(400, { error: "invalid_json", message: "The request body is not valid JSON." });
      case "VALIDATION":
        return reply(422, {
          error: "validation_failed",
          message: "The request does not match the schema; see fields.",
          fields: fieldProblems(error),
        });
      case "NOT_FOUND": {
        const allowed = options.routes ? allowedMethods(options.routes(), path) : [];
        if (allowed.length === 0)
          return reply(404, { error: "not_found", message: `No route for ${request.method} ${path}.` });
        set.headers.allow = allowed.join(", ");
        return reply(405, {
          error: "method_not_allowed",
          message: `${path} does not answer ${request.method}; it answers ${allowed.join(", ")}.`,
        });
      }
      case "INVALID_COOKIE_SIGNATURE":
      case "INVALID_FILE_TYPE":
        return reply(400, { error: "bad_request", message: error.message });
    }
    info?.log.error({ err: error, method: request.method, path }, "unhandled error");
    const detail = options.production || !(error instanceof Error) ? {} : { detail: error.message, stack: error.stack };
    return reply(500, {
      error: "internal_error",
      message: "Something went wrong; quote the request id when reporting it.",
      ...detail,
    });
  });
}

/** Elysia wraps what a parse hook throws in its ParseError; the app's own error is its cause. */
function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof HttpError ? cause : undefined;
}

/** One entry per field (the first reason), so a missing field is not also reported as the wrong type. */
function fieldProblems(error: Readonly<Pick<ValidationError, "all" | "type">>): FieldProblem[] {
  const byField = new Map<string, FieldProblem>();
  for (const problem of error.all) {
    const field = problem.path.replace(/^\//, "").replaceAll("/", ".") || "(root)";
    if (!byField.has(field)) byField.set(field, { field, in: error.type, message: problem.summary ?? problem.message });
  }
  return [...byField.values()];
}
