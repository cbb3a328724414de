// The mail delivery ledger and preview store on SQLite (their code lives with the mailer, in src/mail).
export { SqliteDeliveryLedger, sqliteDeliveryLedger } from "../../mail/ledger/sqlite-ledger.ts";
export { SqlitePreviewStore, sqlitePreviewStore } from "../../mail/preview/sqlite-store.ts";
export { SqliteStoreConfigError } from "./errors.ts";
export { jobsTable as sqliteJobsTable } from "./schema.ts";
export type { SqliteTx } from "./sql/enqueue.ts";
export { SqliteJobStore, type SqliteStoreOptions, sqliteStore } from "./store.ts";
