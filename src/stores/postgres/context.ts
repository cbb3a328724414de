import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";
import type { Helper, Sql, TransactionSql } from "postgres";

/**
 * The caller's drizzle transaction (or database) on postgres-js, accepted by `enqueue({ tx })`: the
 * job is inserted through it, so it commits or rolls back with the business write.
 */
export type PostgresTx = Pick<PgDatabase<PostgresJsQueryResultHKT, Record<string, unknown>>, "execute">;

/** Either the pool or a transaction on it: what a store statement runs on. */
export type Query = Sql | TransactionSql;

/** What every store operation needs: the connections, and names derived from the schema. */
export interface StoreContext {
  /** postgres-js, default commit durability: admin operations and wake-up subscriptions. */
  readonly sql: Sql;
  /** drizzle over `sql`: enqueue runs through it so that a caller's drizzle tx can stand in. */
  readonly db: PostgresTx;
  /**
   * Runs a state transition of claimed jobs (claim, complete, fail, renew, release, recover) with
   * synchronous_commit off: see transitions.ts for why that is safe and what it buys.
   */
  readonly transition: <T>(run: (q: Query) => Promise<T>, options?: { atomic?: boolean }) => Promise<T>;
  /** Wakes other instances (NOTIFY) soon, without waiting; see notifier.ts. */
  readonly notify: () => void;
  readonly schema: string;
  /** `"schema"."jobs"` for postgres-js templates. */
  readonly jobs: Helper<string, []>;
  readonly channel: string;
}
