import { resolve } from "node:path";
import {
  type SqliteJobStore,
  SqliteOpenError,
  SqliteStoreError,
  type SqliteTx,
  sqliteDeliveryLedger,
  sqlitePreviewStore,
  sqliteStore,
} from "errand/sqlite";
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
  const db = openSqliteAppDb(database);
  const { transport, previewStore } = chooseTransport(options, () => sqlitePreviewStore({ database }));
  const ledger = options.config.mailBatching ? sqliteDeliveryLedger({ database }) : undefined;
  const background = createBackground<SqliteTx>(store, transport, options, ledger);
  // Synchronous on purpose: drizzle's bun-sqlite transaction commits when its callback returns.
  const repository = new SqliteAppRepository(db, (tx, mail) => void background.enqueueConfirmation(tx, mail).sync());
  background.provideRepository(repository);
  return assembleRuntime(background, { repository, previewStore, close: () => store.close() });
}

/** The store opens the file (creating its directory) with the settings the app's tables need too. */
function openStore(path: string): SqliteJobStore {
  try {
    return sqliteStore({ path });
  } catch (error) {
    if (!(error instanceof SqliteStoreError)) throw error;
    const reason = error instanceof SqliteOpenError ? describeOpenFailure(error) : error.message;
    throw new StartupError(`Cannot open the SQLite database DATABASE_URL=${path} (${resolve(path)}): ${reason}`, {
      cause: error,
    });
  }
}

/** What went wrong and what to do, for the usual reasons a database file cannot be created or opened. */
function describeOpenFailure(error: SqliteOpenError): string {
  const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  switch (errorCode(error)) {
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return `its directory is not writable by this process (${cause}). Point DATABASE_URL at a writable directory, or fix the directory's owner or permissions.`;
    case "ENOTDIR":
    case "EEXIST":
      return `a part of its directory path is a file, not a directory (${cause}). Point DATABASE_URL at a path inside a directory.`;
    default:
      return error.message;
  }
}
