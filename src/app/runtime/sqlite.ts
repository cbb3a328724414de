import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type SqliteJobStore, type SqliteTx, sqlitePreviewStore, sqliteStore } from "errand/sqlite";
import { migrationsDir } from "../db/migrations-dir.ts";
import { openSqliteAppDb, SqliteAppRepository } from "../db/sqlite/repository.ts";
import { errorCode, StartupError } from "../startup-error.ts";
import { assembleRuntime, chooseTransport, createBackground } from "./background.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

/**
 * The embedded setup: one SQLite file holds the app's tables, the jobs and the mail previews, on the
 * jobs store's connection, so a registration and its confirmation-mail job commit in one transaction.
 */
export function openSqliteRuntime(options: RuntimeOptions, path: string): AppRuntime {
  const store = openStore(path);
  try {
    return runtimeOn(store, options);
  } catch (error) {
    void store.close();
    throw error;
  }
}

function runtimeOn(store: SqliteJobStore, options: RuntimeOptions): AppRuntime {
  const database = store.database;
  // The app's tables cascade on user deletion; SQLite enforces foreign keys only when asked, per connection.
  database.run("PRAGMA foreign_keys = ON");
  const db = openSqliteAppDb(database);
  const { transport, previewStore } = chooseTransport(options, () => sqlitePreviewStore({ database }));
  const background = createBackground<SqliteTx>(store, transport, options);
  // Synchronous on purpose: drizzle's bun-sqlite transaction commits when its callback returns.
  const repository = new SqliteAppRepository(db, (tx, mail) => void background.enqueueConfirmation(tx, mail).sync());
  background.provideRepository(repository);
  return assembleRuntime(background, { repository, previewStore, close: () => store.close() });
}

function openStore(path: string): SqliteJobStore {
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    return sqliteStore({ path, migrationsFolder: migrationsDir("drizzle/sqlite") });
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(
      `Cannot open the SQLite database DATABASE_URL=${path} (${resolve(path)}): ${describeOpenFailure(error)}`,
      { cause: error },
    );
  }
}

/** What went wrong and what to do, for the usual reasons a database file cannot be created or opened. */
function describeOpenFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  switch (errorCode(error)) {
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return `its directory is not writable by this process (${message}). Point DATABASE_URL at a writable directory, or fix the directory's owner or permissions.`;
    case "ENOTDIR":
    case "EEXIST":
      return `a part of its directory path is a file, not a directory (${message}). Point DATABASE_URL at a path inside a directory.`;
    case "SQLITE_CANTOPEN":
      return `SQLite cannot create or open the file (${message}). Check that its directory exists and is writable, and that the path is not a directory.`;
    case "SQLITE_NOTADB":
      return `the file is not a SQLite database (${message}). Point DATABASE_URL at a new path or at an Errand database.`;
    default:
      return message;
  }
}
