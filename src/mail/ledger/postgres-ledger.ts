import { type OpenPool, openPool, type PoolOptions } from "../../stores/postgres/connections.ts";
import { checkSchemaName } from "../../stores/postgres/schema-name.ts";
import { identifier } from "../../stores/postgres/template.ts";
import { MailConfigError } from "../errors.ts";
import type { OutgoingMail } from "../transport.ts";
import type { DeliveryLedger, DeliveryRoute } from "./ledger.ts";

/** `{ url }` (a pool of its own) or `{ pool }` (the app's node-postgres Pool, left open), and the schema. */
export type PostgresLedgerOptions = { schema?: string } & PoolOptions;

interface RouteRow {
  route_key: string;
  state: "pending" | "sent";
  mails: OutgoingMail[];
  member_keys: string[];
  ids: string[] | null;
  created_at: string;
}

/**
 * The delivery ledger in PostgreSQL, for apps whose jobs run on several instances: a mail retried on
 * another machine after a crash finds the route its batch went out in. Tables are created on first use
 * in `schema` (default "errand"). JSON columns take `JSON.stringify`'d text cast to jsonb: node-postgres
 * would send a JS array as a PostgreSQL array literal, which is not JSON.
 */
export class PostgresDeliveryLedger implements DeliveryLedger {
  readonly #pool: OpenPool;
  readonly #routes;
  readonly #members;
  readonly #schema: string;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresLedgerOptions) {
    this.#schema = checkSchemaName(options.schema ?? "errand", (message) => new MailConfigError(message));
    this.#pool = openPool("url" in options ? { url: options.url, max: 4 } : options);
    this.#routes = identifier(this.#schema, "mail_routes");
    this.#members = identifier(this.#schema, "mail_route_members");
  }

  async find(memberKey: string): Promise<DeliveryRoute | null> {
    const db = await this.#db();
    const [row] = await db<RouteRow>`
      SELECT r.* FROM ${this.#members} m
      JOIN ${this.#routes} r ON r.route_key = m.route_key
      WHERE m.member_key = ${memberKey}`;
    return row ? toRoute(row) : null;
  }

  async open(route: Omit<DeliveryRoute, "state" | "ids">): Promise<void> {
    await this.#db();
    await this.#pool.begin(async (tx) => {
      await tx`INSERT INTO ${this.#routes} (route_key, state, mails, member_keys, created_at)
        VALUES (${route.key}, 'pending', ${JSON.stringify(route.mails)}::jsonb, ${JSON.stringify(route.memberKeys)}::jsonb, ${route.createdAt}::bigint)`;
      await tx`INSERT INTO ${this.#members} (member_key, route_key)
        SELECT member_key, ${route.key}::text FROM unnest(${route.memberKeys as string[]}::text[]) AS member_key`;
    });
  }

  async markSent(routeKey: string, ids: readonly string[]): Promise<void> {
    const db = await this.#db();
    await db`UPDATE ${this.#routes} SET state = 'sent', ids = ${JSON.stringify(ids)}::jsonb WHERE route_key = ${routeKey}`;
  }

  async void(routeKey: string): Promise<void> {
    const db = await this.#db();
    await db`DELETE FROM ${this.#routes} WHERE route_key = ${routeKey}`;
  }

  async prune(createdBefore: number): Promise<number> {
    const db = await this.#db();
    const result = await db`DELETE FROM ${this.#routes} WHERE created_at < ${createdBefore}::bigint`;
    return result.count;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  #db() {
    this.#ready ??= this.#createTables().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready.then(() => this.#pool.db);
  }

  async #createTables(): Promise<void> {
    const { db } = this.#pool;
    await db.unsafe(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`);
    await db`CREATE TABLE IF NOT EXISTS ${this.#routes} (
      route_key text PRIMARY KEY,
      state text NOT NULL CHECK (state IN ('pending', 'sent')),
      mails jsonb NOT NULL,
      member_keys jsonb NOT NULL,
      ids jsonb,
      created_at bigint NOT NULL
    )`;
    await db`CREATE TABLE IF NOT EXISTS ${this.#members} (
      member_key text PRIMARY KEY,
      route_key text NOT NULL REFERENCES ${this.#routes} (route_key) ON DELETE CASCADE
    )`;
    await db`CREATE INDEX IF NOT EXISTS mail_route_members_route ON ${this.#members} (route_key)`;
    await db`CREATE INDEX IF NOT EXISTS mail_routes_created ON ${this.#routes} (created_at)`;
  }
}

function toRoute(row: RouteRow): DeliveryRoute {
  return {
    key: row.route_key,
    state: row.state,
    mails: row.mails,
    memberKeys: row.member_keys,
    ids: row.ids,
    createdAt: Number(row.created_at),
  };
}

export function postgresDeliveryLedger(options: PostgresLedgerOptions): PostgresDeliveryLedger {
  return new PostgresDeliveryLedger(options);
}
