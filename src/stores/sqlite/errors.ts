/** sqliteStore was given neither a file path nor an open bun:sqlite Database. */
export class SqliteStoreConfigError extends Error {
  override name = "SqliteStoreConfigError";
}
