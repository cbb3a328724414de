// `errand/postgres`: the job store on PostgreSQL. Needs the `postgres` package at run time; drizzle-orm
// is loaded only to enqueue inside a caller's drizzle transaction (which brings it anyway).
export type { PostgresConnectionOptions } from "./connections.ts";
export type { PostgresTx } from "./context.ts";
export { KeyConflictError, PostgresMigrationError, PostgresStoreConfigError, PostgresStoreError } from "./errors.ts";
export { PostgresJobStore, type PostgresStoreOptions, postgresStore } from "./store.ts";
