import { PostgresStoreConfigError } from "./errors.ts";

/**
 * The schema name is spliced into SQL text (identifiers cannot be parameters) and into the NOTIFY
 * channel name, so it is restricted to a plain identifier instead of being escaped. The mail ledger
 * and preview store check theirs here too, each throwing its own error class (`toError`).
 */
export function checkSchemaName(
  schema: string,
  toError: (message: string) => Error = (message) => new PostgresStoreConfigError(message),
): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,50}$/.test(schema)) {
    throw toError(
      `Invalid schema name ${JSON.stringify(schema)}: use letters, digits and underscores (at most 51), not starting with a digit.`,
    );
  }
  return schema;
}
