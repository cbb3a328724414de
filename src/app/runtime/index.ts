import { openPostgresRuntime } from "./postgres.ts";
import { openSqliteRuntime } from "./sqlite.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

export type { AppJobs, AppRuntime, RuntimeOptions } from "./types.ts";

/**
 * Opens the storage DATABASE_URL names (a SQLite file, or postgres://) with jobs, crons and mail on it.
 * Throws StartupError, saying what to fix, when the database cannot be reached or opened.
 */
export async function openRuntime(options: RuntimeOptions): Promise<AppRuntime> {
  const database = options.config.database;
  return database.kind === "postgres"
    ? openPostgresRuntime(options, database.url)
    : openSqliteRuntime(options, database.path);
}
