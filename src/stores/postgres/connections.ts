// The one place that constructs, uses and ends PostgreSQL clients: node-postgres (`pg`).
//
// Why node-postgres: a killed backend, a restart or a failover must cost the calls in flight, never
// the process. postgres.js 3.4.9 writes to a socket it has already closed, outside any caller's
// promise (porsager/postgres #1066, #1154, #1208), and leaves queries that never settle; a patch
// would protect only this repository, not an app that installs the driver itself. node-postgres
// rejects the calls of a lost connection, drops the connection from its pool and connects again on
// the next call, on Bun, Node and Deno alike (test/stores/postgres/connection-loss.test.ts). It does
// emit the loss as an 'error' event too, which ends the process when nobody listens: every client
// and pool here has a listener.

import type { ClientConfig, Pool, PoolClient, QueryConfig, QueryResult } from "pg";
import pg from "pg";
import type { Subscription } from "../../jobs/store.ts";
import type { Query, Rows, StoreContext } from "./context.ts";
import { PostgresConnectionError, PostgresStoreConfigError } from "./errors.ts";
import { compile, Fragment } from "./template.ts";
import { ownTransitions, sharedTransitions, type Transaction } from "./transitions.ts";

export type { Pool };

/** Exactly one way to reach PostgreSQL: a URL (the store owns its pools), or the app's own pool. */
export type PostgresConnectionOptions =
  | {
      url: string;
      /** Pool size (default 10). */
      max?: number;
      pool?: never;
      db?: never;
    }
  | {
      /** The app's node-postgres Pool: shared, never ended by the store. */
      pool: Pool;
      url?: never;
      db?: never;
    }
  | {
      /** The app's drizzle database on node-postgres (`drizzle({ client: pool })`): its pool is shared. */
      db: { $client: Pool };
      url?: never;
      pool?: never;
    };

export interface Connections {
  /** Default commit durability. */
  db: Query;
  /** A transaction at default durability (migrations). */
  begin: Transaction;
  transition: StoreContext["transition"];
  /** Where the post-commit NOTIFY goes: it needs no durability either. */
  notifyOn: Query;
  /**
   * LISTENs on `channel` on a connection of its own, listening again after that connection is lost.
   * `onNotify` gets the NOTIFY's payload, or undefined after a reconnect (what was sent meanwhile is lost).
   */
  listen(channel: string, onNotify: (payload: string | undefined) => void): Promise<Subscription>;
  /** The pool behind `db` (the app's, when it passed one). */
  pool: Pool;
  /** Ends the pools the store opened; a pool the app passed in stays open. */
  end(): Promise<void>;
}

export function openConnections(options: PostgresConnectionOptions): Connections {
  const given = [options.url, options.pool, options.db].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new PostgresStoreConfigError(
      "postgresStore needs exactly one of { url } (a postgres:// URL), { pool } (a node-postgres Pool) or { db } (a drizzle database on node-postgres).",
    );
  }
  if (options.url === undefined) {
    const shared = openPool({ pool: options.pool ?? options.db!.$client });
    return {
      ...shared,
      transition: sharedTransitions(shared.begin),
      notifyOn: shared.db,
      listen: (channel, onNotify) => listen({ ...shared.pool.options }, channel, onNotify),
    };
  }
  const config = ownConfig(options.url);
  const own = openPool({ url: options.url, max: options.max ?? 10 });
  // A second, small pool whose sessions skip the fsync wait: for state transitions (transitions.ts).
  const asyncCommit = ownPool({ ...config, max: 4, options: "-c synchronous_commit=off" });
  const asyncQuery = queryOnPool(asyncCommit);
  return {
    ...own,
    transition: ownTransitions(asyncQuery, transactionOn(asyncCommit)),
    notifyOn: asyncQuery,
    listen: (channel, onNotify) => listen(config, channel, onNotify),
    end: async () => void (await Promise.all([own.end(), asyncCommit.end()])),
  };
}

/** A pool to run statements on: the app's, or one of its own from a URL (the mail ledger and preview store too). */
export type PoolOptions = { url: string; max?: number } | { pool: Pool };

export interface OpenPool {
  db: Query;
  begin: Transaction;
  pool: Pool;
  /** Ends the pool if it was opened here; the app's pool stays open. */
  end(): Promise<void>;
}

export function openPool(options: PoolOptions): OpenPool {
  if ("pool" in options) {
    const { pool } = options;
    if (!isPool(pool)) {
      throw new PostgresStoreConfigError(
        "A node-postgres Pool is needed (new pg.Pool(…), or drizzle({ client: pool })), not a single Client: statements run concurrently.",
      );
    }
    // Without a listener, an idle connection that dies makes the Pool emit an unhandled 'error',
    // which kills the process; the pool has already discarded that connection.
    pool.on("error", ignore);
    return { db: queryOnPool(pool), begin: transactionOn(pool), pool, end: async () => void pool.off("error", ignore) };
  }
  const pool = ownPool({ ...ownConfig(options.url), max: options.max ?? 10 });
  return { db: queryOnPool(pool), begin: transactionOn(pool), pool, end: () => pool.end() };
}

function ownConfig(url: string): ClientConfig {
  return {
    connectionString: url,
    fallback_application_name: "errand",
    // Unreachable (a firewall dropping packets) fails the call after this instead of hanging on.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  };
}

function ownPool(config: pg.PoolConfig): Pool {
  const pool = new pg.Pool(config);
  pool.on("error", ignore); // see openPool
  // And for the whole life of each connection, not only while the store has it checked out (checkout).
  pool.on("connect", (client) => client.on("error", ignore));
  return pool;
}

function isPool(value: unknown): value is Pool {
  return (
    value instanceof pg.Pool ||
    (typeof value === "object" &&
      value !== null &&
      typeof (value as Pool).connect === "function" &&
      typeof (value as Pool).totalCount === "number")
  );
}

const ignore = (): void => {};

/**
 * Rows as the store reads them, whatever the app did to node-postgres's global parsers (a common
 * `types.setTypeParser(20, Number)` would lose precision in bigint ids): bigint stays a string,
 * json and jsonb are parsed, other types arrive as text.
 */
const parsers: Record<number, (text: string) => unknown> = {
  16: (text) => text === "t", // bool
  21: Number, // int2
  23: Number, // int4
  114: JSON.parse, // json
  3802: JSON.parse, // jsonb
};
const asText = (text: string): unknown => text;
const types = { getTypeParser: (oid: number) => parsers[oid] ?? asText } as unknown as QueryConfig["types"];

/**
 * Each distinct statement text gets a name, so node-postgres prepares it once per connection and then
 * only binds parameters (parse and plan are skipped). The store's texts are few (values are
 * parameters); the cap only guards against a caller building unbounded variants.
 */
const statementNames = new Map<string, string>();
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < 500) {
    name = `errand_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

type Run = (config: QueryConfig) => Promise<QueryResult>;

function toRows<R>(result: QueryResult): Rows<R> {
  return Object.assign(result.rows as R[], { count: result.rowCount ?? 0 });
}

function queryWith(run: Run): Query {
  const query = (<R>(strings: TemplateStringsArray, ...values: unknown[]) => {
    const { text, values: params } = compile(new Fragment(strings, values));
    const name = statementName(text);
    return run({ ...(name ? { name } : {}), text, values: params, types }).then(toRows<R>);
  }) as Query;
  query.unsafe = <R>(text: string, values: readonly unknown[] = []) =>
    run({ text, values: [...values], types }).then(toRows<R>);
  return query;
}

/** Takes a pooled connection; failing to get one means nothing was sent. */
async function checkout(pool: Pool): Promise<PoolClient> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new PostgresConnectionError(error, false);
  }
  // A checked-out connection that dies emits 'error' on its client; the statement in flight is
  // rejected with it too, but with no listener the event alone would kill the process.
  client.on("error", ignore);
  return client;
}

/** Back to the pool, or destroyed when its connection failed (the pool opens a fresh one). */
function checkin(client: PoolClient, failure: unknown): void {
  client.off("error", ignore);
  client.release(failure !== undefined && isConnectionLoss(failure) ? (failure as Error) : undefined);
}

/** Each statement on a connection of its own from the pool, in its own implicit transaction. */
function queryOnPool(pool: Pool): Query {
  return queryWith(async (config) => {
    const client = await checkout(pool);
    let failure: unknown;
    try {
      return await client.query(config);
    } catch (error) {
      failure = error;
      throw classify(error, true);
    } finally {
      checkin(client, failure);
    }
  });
}

/**
 * `run` inside BEGIN … COMMIT on one pooled connection; rolled back when it throws. A connection
 * lost before COMMIT was sent applied nothing (maybeApplied false); lost during COMMIT, it may have.
 */
function transactionOn(pool: Pool): Transaction {
  return async (run, begin = "begin") => {
    const client = await checkout(pool);
    let failure: unknown;
    let committing = false;
    try {
      await client.query(begin);
      const result = await run(queryWith((config) => client.query(config)));
      committing = true;
      await client.query("commit");
      return result;
    } catch (error) {
      failure = error;
      if (!committing && !isConnectionLoss(error)) {
        await client.query("rollback").catch((rollbackError: unknown) => (failure = rollbackError));
      }
      throw classify(error, committing);
    } finally {
      checkin(client, failure);
    }
  };
}

/** The first LISTEN must succeed (start fails otherwise); later losses reconnect with backoff. */
async function listen(
  config: ClientConfig,
  channel: string,
  onNotify: (payload: string | undefined) => void,
): Promise<Subscription> {
  let client: pg.Client | undefined;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ ...config, keepAlive: true });
    next.on("notification", (message) => {
      if (message.channel === channel) onNotify(message.payload ?? "");
    });
    // 'error' and 'end' both follow a lost connection; the guard keeps one reconnect per client.
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      next.end().catch(ignore);
      if (client === next) client = undefined;
      scheduleReconnect();
    };
    next.on("error", onLost);
    next.on("end", onLost);
    try {
      await next.connect();
      await next.query(`listen "${channel}"`);
    } catch (error) {
      lost = true;
      next.end().catch(ignore);
      throw error;
    }
    if (closed) {
      await next.end().catch(ignore);
      return;
    }
    client = next;
  };

  const scheduleReconnect = (): void => {
    if (closed || retryTimer !== undefined) return;
    const delay = Math.min(5_000, 100 * 2 ** failures);
    retryTimer = setTimeout(async () => {
      retryTimer = undefined;
      try {
        await connect();
        failures = 0;
        // NOTIFYs sent while nobody listened are gone: wake once, as if one had arrived.
        if (!closed) onNotify(undefined);
      } catch {
        failures++;
        scheduleReconnect();
      }
    }, delay);
  };

  try {
    await connect();
  } catch (error) {
    throw classify(error, false);
  }
  return {
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      await client?.end().catch(ignore);
    },
  };
}

/** SQLSTATEs of a connection that is gone or refused: class 08, and the server shutting sessions down. */
const lostStates = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Socket errors, from the runtime's net layer. */
const socketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** node-postgres's own messages for a connection that ended or never came up. */
const lostMessages = [
  /^Connection terminated/,
  /^Client has encountered a connection error/,
  /^timeout exceeded when trying to connect/,
  /^Client was closed/,
];

export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof PostgresConnectionError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (code.startsWith("08") || lostStates.has(code) || socketCodes.has(code))) return true;
  return lostMessages.some((pattern) => pattern.test(error.message));
}

function classify(error: unknown, maybeApplied: boolean): unknown {
  if (error instanceof PostgresConnectionError || !isConnectionLoss(error)) return error;
  return new PostgresConnectionError(error, maybeApplied);
}
