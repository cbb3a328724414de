import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { sqlitePreviewStore } from "../../mail/index.ts";
import { type SqliteTx, sqliteStore } from "../../stores/sqlite/index.ts";
import { openSqliteAppDb, SqliteAppRepository } from "../db/sqlite/repository.ts";
import { assembleRuntime, chooseTransport, createBackground } from "./background.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

/**
 * The embedded setup: one SQLite file holds the app's tables, the jobs and the mail previews, on one
 * connection, so a registration and its confirmation-mail job commit in one transaction.
 */
export function openSqliteRuntime(options: RuntimeOptions, path: string): AppRuntime {
  const database = openDatabase(path);
  const db = openSqliteAppDb(database);
  const store = sqliteStore({ database });
  const { transport, previewStore } = chooseTransport(options.config, options.transport, () =>
    sqlitePreviewStore({ database }),
  );
  const background = createBackground<SqliteTx>(store, transport, options);
  // Synchronous on purpose: drizzle's bun-sqlite transaction commits when its callback returns.
  const repository = new SqliteAppRepository(db, (tx, mail) => void background.enqueueConfirmation(tx, mail).sync());
  background.provideRepository(repository);
  return assembleRuntime(background, {
    repository,
    previewStore,
    close: async () => {
      await store.close();
      database.close();
    },
  });
}

function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path, { create: true, readwrite: true });
  // Same settings as the jobs store's own connection: WAL, commits survive a process crash, waits on locks.
  database.run("PRAGMA journal_mode = WAL");
  database.run("PRAGMA synchronous = NORMAL");
  database.run("PRAGMA busy_timeout = 5000");
  database.run("PRAGMA foreign_keys = ON");
  return database;
}
