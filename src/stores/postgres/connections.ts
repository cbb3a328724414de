// The one place that constructs and ends PostgreSQL clients.
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Sql, StoreContext } from "./context.ts";
import { PostgresStoreConfigError } from "./errors.ts";
import { ownTransitions, sharedTransitions } from "./transitions.ts";

/** Exactly one way to reach PostgreSQL: a URL (the store owns its pools), or the app's own client. */
export type PostgresConnectionOptions =
  | { url: string /** Pool size (default 10). */; max?: number; sql?: never; db?: never }
  | { /** The app's postgres-js client: shared, never ended by the store. */ sql: Sql; url?: never; db?: never }
  | {
      /** The app's drizzle database on postgres-js: its client is shared, never ended by the store. */
      db: PostgresJsDatabase<Record<string, unknown>> & { $client: Sql };
      url?: never;
      sql?: never;
    };

export interface Connections {
  sql: Sql;
  transition: StoreContext["transition"];
  /** Where the post-commit NOTIFY goes: it needs no durability either. */
  notifyOn: Sql;
  /** Ends the pools the store opened; a client the app passed in stays open. */
  end(): Promise<void>;
}

/**
 * The store never wraps a client in drizzle: `drizzle({ client })` replaces the client's serializers,
 * which would change how the app's own queries on a shared client send JSON.
 */
export function openConnections(options: PostgresConnectionOptions): Connections {
  const given = [options.url, options.sql, options.db].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new PostgresStoreConfigError(
      "postgresStore needs exactly one of { url } (a postgres:// URL), { sql } (a postgres-js client) or { db } (a drizzle database).",
    );
  }
  if (options.url === undefined) {
    const sql = options.sql ?? options.db!.$client;
    return { sql, transition: sharedTransitions(sql), notifyOn: sql, end: async () => {} };
  }
  const sql = postgres(options.url, { max: options.max ?? 10, onnotice: () => {} });
  // A second, small pool whose sessions skip the fsync wait: for state transitions (transitions.ts).
  const asyncCommit = postgres(options.url, { max: 4, onnotice: () => {}, connection: { synchronous_commit: "off" } });
  return {
    sql,
    transition: ownTransitions(asyncCommit),
    notifyOn: asyncCommit,
    end: async () => void (await Promise.all([sql, asyncCommit].map((pool) => pool.end({ timeout: 5 })))),
  };
}
