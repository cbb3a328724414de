// `errand/sqlite`: the job store on bun:sqlite. Needs Bun only; drizzle-orm is not loaded (the caller's
// drizzle transaction type is type-only).
export { SqliteMigrationError, SqliteOpenError, SqliteStoreConfigError, SqliteStoreError } from "./errors.ts";
export { openSqliteDatabase } from "./open.ts";
export type { SqliteTx } from "./sql/enqueue.ts";
export { SqliteJobStore, type SqliteStoreOptions, sqliteStore } from "./store.ts";
