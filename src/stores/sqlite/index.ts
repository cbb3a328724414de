export { SqliteStoreConfigError } from "./errors.ts";
export { jobsTable as sqliteJobsTable } from "./schema.ts";
export type { SqliteTx } from "./sql/enqueue.ts";
export { SqliteJobStore, type SqliteStoreOptions, sqliteStore } from "./store.ts";
