import { describe } from "../../hosting/errors.ts";

/** Base class of the SQLite store's own errors. */
export class SqliteStoreError extends Error {
  override name = "SqliteStoreError";
}

/** sqliteStore was given neither a file path nor an open bun:sqlite Database. */
export class SqliteStoreConfigError extends SqliteStoreError {
  override name = "SqliteStoreConfigError";
}

/** The database file could not be created or opened for writing (nothing was changed in it). */
export class SqliteOpenError extends SqliteStoreError {
  override name = "SqliteOpenError";
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(
      `Cannot open the SQLite database "${path}": ${describe(cause)}. ` +
        "Check that its directory exists or can be created, and that this process may write to both the directory and the file.",
      { cause },
    );
  }
}

/** Applying the job store's migrations failed; the migration transaction was rolled back. */
export class SqliteMigrationError extends SqliteStoreError {
  override name = "SqliteMigrationError";
  constructor(path: string, cause: unknown) {
    super(
      `Applying the job store migrations to the SQLite database "${path}" failed: ${describe(cause)}. ` +
        "The migration ran in one transaction and was rolled back; fix the cause (a read-only file, a full disk, a conflicting table) and start again.",
      { cause },
    );
  }
}
