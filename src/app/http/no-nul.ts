import { Elysia } from "elysia";
import { HttpError } from "./errors.ts";

export interface FieldProblem {
  field: string;
  in: string;
  message: string;
}

/** A 422 like a schema failure's (validation_failed), for checks the schemas cannot express. */
export class FieldValidationError extends HttpError {
  override name = "FieldValidationError";
  constructor(readonly fields: FieldProblem[]) {
    super(422, "validation_failed", "The request does not match the schema; see fields.");
  }
}

const NUL_MESSAGE = "Must not contain the NUL character (U+0000).";

/**
 * Refuses, with a 422 naming each field, a body, query or path parameter holding U+0000 in any string
 * of the routes of the plugin it is used in. PostgreSQL text cannot hold that character: such a string
 * would fail in the database as a 500. Runs after the routes' rate limits, auth and schemas.
 */
export const rejectNul = new Elysia({ name: "app.reject-nul" }).onBeforeHandle(
  { as: "scoped" },
  ({ body, query, params }) => {
    const fields = [
      ...nulFields(body, "body", ""),
      ...nulFields(query, "query", ""),
      ...nulFields(params, "params", ""),
    ];
    if (fields.length > 0) throw new FieldValidationError(fields);
  },
);

function nulFields(value: unknown, where: string, path: string): FieldProblem[] {
  if (typeof value === "string")
    return value.includes("\u0000") ? [{ field: path || "(root)", in: where, message: NUL_MESSAGE }] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(key.includes("\u0000") ? [{ field: join(path, key), in: where, message: NUL_MESSAGE }] : []),
    ...nulFields(inner, where, join(path, key)),
  ]);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
