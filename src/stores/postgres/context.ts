// What every store operation runs on. The operations in sql/ write tagged templates (template.ts)
// and run them through `Query`, which names no client: the PostgreSQL client (node-postgres) is
// constructed and used only in connections.ts.
import type { SQL } from "drizzle-orm";
import type { Fragment } from "./template.ts";
import type { Transaction } from "./transitions.ts";

/**
 * The caller's drizzle transaction (or database), accepted by `enqueue({ tx })`: the job is inserted
 * through it, so it commits or rolls back with the business write. Any drizzle PostgreSQL driver
 * (node-postgres, postgres-js, bun-sql, …): the store only calls `execute`.
 */
export interface PostgresTx {
  execute(query: SQL): PromiseLike<unknown>;
}

/** The rows a statement returned, and `count`: the rows it returned or changed (UPDATE, DELETE). */
export type Rows<R> = R[] & { count: number };

/**
 * Runs one statement: `await q<JobRow>\`select … where id = ${id}\``. Values are parameters; a Fragment
 * value (`sql\`…\``, `identifier(…)`) is spliced in. A lost connection rejects with
 * PostgresConnectionError.
 */
export interface Query {
  <R = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Rows<R>>;
  /** Text written out (migrations, DDL); `$1`… refer to `values`. */
  unsafe<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Rows<R>>;
}

/** What every store operation needs: the connections, and names derived from the schema. */
export interface StoreContext {
  /** Default commit durability: enqueue, admin operations. */
  readonly db: Query;
  /**
   * Runs a state transition of claimed jobs (claim, complete, fail, renew, release, recover) with
   * synchronous_commit off: see transitions in connections.ts for why that is safe and what it buys.
   * `atomic`: the statements run in one transaction.
   */
  readonly transition: <T>(run: (q: Query) => Promise<T>, options?: { atomic?: boolean }) => Promise<T>;
  /** A transaction at default durability (flows and workflows: several statements that commit together). */
  readonly begin: Transaction;
  /** Wakes other instances (NOTIFY) soon, without waiting; see notifier.ts. */
  readonly notify: () => void;
  readonly schema: string;
  /** `"schema"."jobs"`. */
  readonly jobs: Fragment;
  readonly channel: string;
  /** Where cancel announces the ids of running jobs it cancelled. */
  readonly cancelChannel: string;
  /** Where the end of a job someone waits for (notify_done) is announced, with its id. */
  readonly doneChannel: string;
}
