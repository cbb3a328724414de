// Opening the database: pragmas for a job queue on one file, then drizzle-kit's migrations.
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";

/** drizzle-kit's output for schema.ts, next to the sources (ship `drizzle/` with a compiled binary). */
export const defaultMigrationsFolder = new URL("../../../drizzle/sqlite", import.meta.url).pathname;

/**
 * WAL lets readers run while the one writer commits; synchronous=NORMAL syncs the WAL at checkpoints,
 * not at every commit: a committed job survives a process crash (kill -9, OOM) but the last commits
 * before a power cut or OS crash can be lost. busy_timeout makes a second process wait for the write
 * lock instead of failing with SQLITE_BUSY.
 */
export function openDatabase(path: string): Database {
  const db = new Database(path, { create: true, readwrite: true });
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  db.run("PRAGMA busy_timeout = 5000");
  return db;
}

/**
 * Errand keeps its own migrations table, so an app running drizzle's migrator for its own tables on
 * the same database does not mix the two histories.
 */
export function migrateJobsSchema(db: Database, migrationsFolder: string): void {
  migrate(drizzle({ client: db }), { migrationsFolder, migrationsTable: "__errand_migrations" });
}
