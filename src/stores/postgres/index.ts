// The mail delivery ledger and preview store on PostgreSQL (their code lives with the mailer, in src/mail).
export {
  PostgresDeliveryLedger,
  type PostgresLedgerOptions,
  postgresDeliveryLedger,
} from "../../mail/ledger/postgres-ledger.ts";
export {
  PostgresPreviewStore,
  type PostgresPreviewStoreOptions,
  postgresPreviewStore,
} from "../../mail/preview/postgres-store.ts";
export type { PostgresTx } from "./context.ts";
export { KeyConflictError, PostgresMigrationError, PostgresStoreConfigError, PostgresStoreError } from "./errors.ts";
export { PostgresJobStore, type PostgresStoreOptions, postgresStore } from "./postgres-store.ts";
export { jobsTable as postgresJobsTable } from "./schema.ts";
