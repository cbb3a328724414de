export type { SqliteTx } from "./sql/enqueue.ts";
export { jobsTable as sqliteJobsTable } from "./schema.ts";
export { SqliteJobStore, type SqliteStoreOptions, sqliteStore } from "./store.ts";
export { SqliteStoreConfigError } from "./errors.ts";
