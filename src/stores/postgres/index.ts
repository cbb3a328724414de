export type { PostgresTx } from "./context.ts";
export { KeyConflictError, PostgresMigrationError, PostgresStoreConfigError, PostgresStoreError } from "./errors.ts";
export { PostgresJobStore, type PostgresStoreOptions, postgresStore } from "./postgres-store.ts";
export { jobsTable as postgresJobsTable } from "./schema.ts";
