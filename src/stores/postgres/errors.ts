import { describe } from "../../hosting/errors.ts";

/** Base class of the PostgreSQL store's own errors. */
export class PostgresStoreError extends Error {
  override name = "PostgresStoreError";
}

/** The options name no connection, or more than one. */
export class PostgresStoreConfigError extends PostgresStoreError {
  override name = "PostgresStoreConfigError";
}

/** Applying drizzle/postgres migrations failed; nothing of the failed migration was kept. */
export class PostgresMigrationError extends PostgresStoreError {
  override name = "PostgresMigrationError";
  constructor(schema: string, cause: unknown) {
    super(
      `Applying the job store migrations to schema "${schema}" failed: ${describe(cause)}. ` +
        "The migration ran in one transaction and was rolled back; fix the cause (permissions, a conflicting table) and start again.",
      { cause },
    );
  }
}

/**
 * An idempotency key matched a job this statement could not see: a concurrent transaction inserted
 * it and the caller's transaction runs at REPEATABLE READ or stricter.
 */
export class KeyConflictError extends PostgresStoreError {
  override name = "KeyConflictError";
  constructor(keys: readonly string[]) {
    super(
      `Jobs with key(s) ${keys.map((k) => JSON.stringify(k)).join(", ")} were enqueued concurrently and are not visible to this ` +
        "transaction. Enqueue keyed jobs at READ COMMITTED, or retry the transaction.",
    );
  }
}

/**
 * PostgreSQL could not be reached, or the connection was lost while the call ran (a restart, a
 * failover, a killed backend, a pooler or network dropping it). Retryable: the store's connections
 * reconnect by themselves, so the same call succeeds once the database answers again.
 */
export class PostgresConnectionError extends PostgresStoreError {
  override name = "PostgresConnectionError";
  readonly retryable = true;
  /**
   * false: nothing of the call reached the database (no connection, or a transaction that had not
   * committed). true: the connection was lost after the statement was sent, so it may have been
   * applied. An enqueue with a key is safe to retry either way (the key matches the stored job).
   */
  readonly maybeApplied: boolean;

  constructor(cause: unknown, maybeApplied: boolean) {
    super(
      `${maybeApplied ? "Lost the PostgreSQL connection during the call" : "Could not reach PostgreSQL"}: ${describe(cause)}. ` +
        "The store reconnects by itself; retry the call.",
      { cause },
    );
    this.maybeApplied = maybeApplied;
  }
}
