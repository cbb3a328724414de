// `errand/postgres`: the job store on PostgreSQL. Needs the `pg` package (node-postgres) at run time; drizzle-orm
// is loaded only to enqueue inside a caller's drizzle transaction (which brings it anyway).

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
export type { PostgresConnectionOptions } from "./connections.ts";
export type { PostgresTx } from "./context.ts";
export {
  KeyConflictError,
  PostgresConnectionError,
  PostgresMigrationError,
  PostgresStoreConfigError,
  PostgresStoreError,
} from "./errors.ts";
export { PostgresJobStore, type PostgresStoreOptions, postgresStore } from "./store.ts";
