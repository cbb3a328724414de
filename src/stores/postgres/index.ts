export { postgresStore, PostgresJobStore, type PostgresStoreOptions } from "./postgres-store.ts";
export type { PostgresTx } from "./context.ts";
export { jobsTable as postgresJobsTable } from "./schema.ts";
export { KeyConflictError, PostgresMigrationError, PostgresStoreConfigError, PostgresStoreError } from "./errors.ts";
