import { PostgresStoreConfigError } from "./errors.ts";

/**
 * The schema name is spliced into SQL text (identifiers cannot be parameters) and into the NOTIFY
 * channel name, so it is restricted to a plain identifier instead of being escaped.
 */
export function checkSchemaName(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,50}$/.test(schema)) {
    throw new PostgresStoreConfigError(
      `Invalid schema name ${JSON.stringify(schema)}: use letters, digits and underscores (at most 51), not starting with a digit.`,
    );
  }
  return schema;
}

/** The LISTEN/NOTIFY channel every instance sharing the schema uses to announce due jobs. */
export function wakeChannel(schema: string): string {
  return `errand_jobs_${schema}`;
}
