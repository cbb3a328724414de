import postgres, { type Sql } from "postgres";
import { checkSchemaName } from "../../stores/postgres/schema-name.ts";
import { MailConfigError } from "../errors.ts";
import type { OutgoingMail } from "../transport.ts";
import type { DeliveryLedger, DeliveryRoute } from "./ledger.ts";

export type PostgresLedgerOptions = { schema?: string } & ({ url: string } | { sql: Sql });

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
 * in `schema` (default "errand").
 */
export class PostgresDeliveryLedger implements DeliveryLedger {
  readonly #sql: Sql;
  readonly #owned: boolean;
  readonly #schema: string;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresLedgerOptions) {
    this.#schema = checkSchemaName(options.schema ?? "errand", (message) => new MailConfigError(message));
    this.#owned = "url" in options;
    this.#sql = "url" in options ? postgres(options.url, { max: 4, onnotice: () => {} }) : options.sql;
  }

  async find(memberKey: string): Promise<DeliveryRoute | null> {
    const sql = await this.#db();
    const [row] = await sql<RouteRow[]>`
      SELECT r.* FROM ${sql(this.#schema)}.mail_route_members m
      JOIN ${sql(this.#schema)}.mail_routes r ON r.route_key = m.route_key
      WHERE m.member_key = ${memberKey}`;
    return row ? toRoute(row) : null;
  }

  async open(route: Omit<DeliveryRoute, "state" | "ids">): Promise<void> {
    const sql = await this.#db();
    await sql.begin(async (tx) => {
      await tx`INSERT INTO ${sql(this.#schema)}.mail_routes (route_key, state, mails, member_keys, created_at)
        VALUES (${route.key}, 'pending', ${tx.json(route.mails as unknown as postgres.JSONValue)}, ${tx.json(route.memberKeys)}, ${route.createdAt})`;
      await tx`INSERT INTO ${sql(this.#schema)}.mail_route_members ${tx(route.memberKeys.map((member_key) => ({ member_key, route_key: route.key })))}`;
    });
  }

  async markSent(routeKey: string, ids: readonly string[]): Promise<void> {
    const sql = await this.#db();
    await sql`UPDATE ${sql(this.#schema)}.mail_routes SET state = 'sent', ids = ${sql.json([...ids])} WHERE route_key = ${routeKey}`;
  }

  async void(routeKey: string): Promise<void> {
    const sql = await this.#db();
    await sql`DELETE FROM ${sql(this.#schema)}.mail_routes WHERE route_key = ${routeKey}`;
  }

  async prune(createdBefore: number): Promise<number> {
    const sql = await this.#db();
    const result = await sql`DELETE FROM ${sql(this.#schema)}.mail_routes WHERE created_at < ${createdBefore}`;
    return result.count;
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#sql.end({ timeout: 5 });
  }

  #db(): Promise<Sql> {
    this.#ready ??= this.#createTables();
    return this.#ready.then(() => this.#sql);
  }

  async #createTables(): Promise<void> {
    const sql = this.#sql;
    const schema = sql(this.#schema);
    await sql`CREATE SCHEMA IF NOT EXISTS ${schema}`;
    await sql`CREATE TABLE IF NOT EXISTS ${schema}.mail_routes (
      route_key text PRIMARY KEY,
      state text NOT NULL CHECK (state IN ('pending', 'sent')),
      mails jsonb NOT NULL,
      member_keys jsonb NOT NULL,
      ids jsonb,
      created_at bigint NOT NULL
    )`;
    await sql`CREATE TABLE IF NOT EXISTS ${schema}.mail_route_members (
      member_key text PRIMARY KEY,
      route_key text NOT NULL REFERENCES ${schema}.mail_routes (route_key) ON DELETE CASCADE
    )`;
    await sql`CREATE INDEX IF NOT EXISTS mail_route_members_route ON ${schema}.mail_route_members (route_key)`;
    await sql`CREATE INDEX IF NOT EXISTS mail_routes_created ON ${schema}.mail_routes (created_at)`;
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
