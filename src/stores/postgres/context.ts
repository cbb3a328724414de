// What every store operation runs on. The PostgreSQL client (postgres-js) is constructed in
// connections.ts and its types are named only here and there: the operations in sql/ write tagged
// templates against `Query`, so a replacement client must offer the same template API (fragments,
// identifier helpers, `begin`, `listen`) or a thin adapter that does.
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";
import type { Helper, PendingQuery, Sql, TransactionSql } from "postgres";

export type { PendingQuery, Sql };

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
