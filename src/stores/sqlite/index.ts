// `errand/sqlite`: the job store on bun:sqlite. Needs Bun only; drizzle-orm is not loaded (the caller's
// drizzle transaction type is type-only).

// The mail delivery ledger and preview store on SQLite (their code lives with the mailer, in src/mail).
export { SqliteDeliveryLedger, sqliteDeliveryLedger } from "../../mail/ledger/sqlite-ledger.ts";
export { SqlitePreviewStore, sqlitePreviewStore } from "../../mail/preview/sqlite-store.ts";
export { SqliteMigrationError, SqliteOpenError, SqliteStoreConfigError, SqliteStoreError } from "./errors.ts";
export { openSqliteDatabase } from "./open.ts";
export type { SqliteTx } from "./sql/enqueue.ts";
export { SqliteJobStore, type SqliteStoreOptions, sqliteStore } from "./store.ts";
