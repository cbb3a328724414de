import { t } from "elysia";

/** The one JSON shape of every error response, documented once and referenced by every route. */
export const ErrorBody = t.Object(
  {
    error: t.String({ description: "Machine-readable code, e.g. invalid_json, validation_failed, not_found" }),
    message: t.String(),
    requestId: t.String(),
    fields: t.Optional(
      t.Array(t.Object({ field: t.String(), in: t.String(), message: t.String() }), {
        description: "validation_failed only: each invalid field and why",
      }),
    ),
  },
  { title: "Error" },
);
