import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";
import type { Helper, Sql } from "postgres";

/**
 * The caller's drizzle transaction (or database) on postgres-js, accepted by `enqueue({ tx })`: the
 * job is inserted through it, so it commits or rolls back with the business write.
 */
export type PostgresTx = Pick<PgDatabase<PostgresJsQueryResultHKT, Record<string, unknown>>, "execute">;

/** What every store operation needs: the connection, and names derived from the schema. */
export interface StoreContext {
  /** postgres-js: every operation except enqueue runs here, as prepared statements. */
  readonly sql: Sql;
  /** drizzle over the same client: enqueue runs through it so a caller's drizzle tx can stand in. */
  readonly db: PostgresTx;
  readonly schema: string;
  /** `"schema"."jobs"` for postgres-js templates. */
  readonly jobs: Helper<string, []>;
  readonly channel: string;
}
