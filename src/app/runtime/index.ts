import type { AppRuntime, RuntimeOptions } from "./types.ts";

export type { AppJobs, AppRuntime, RuntimeOptions } from "./types.ts";

/**
 * Opens the storage DATABASE_URL names (a SQLite file, or postgres://) with jobs, crons and mail on it.
 * Throws StartupError, saying what to fix, when the database cannot be reached or opened.
 */
export async function openRuntime(options: RuntimeOptions): Promise<AppRuntime> {
  const database = options.config.database;
  // Only the configured dialect is loaded: a SQLite instance does not load pg, errand/postgres and
  // drizzle's node-postgres driver, nor a PostgreSQL one drizzle's SQLite driver.
  if (database.kind === "postgres") {
    const { openPostgresRuntime } = await import("./postgres.ts");
    return openPostgresRuntime(options, database.url);
  }
  const { openSqliteRuntime } = await import("./sqlite.ts");
  return openSqliteRuntime(options, database.path);
}
