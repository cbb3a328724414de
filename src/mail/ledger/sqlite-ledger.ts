import { Database } from "bun:sqlite";
import type { OutgoingMail } from "../transport.ts";
import type { DeliveryLedger, DeliveryRoute } from "./ledger.ts";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS errand_mail_routes (
    route_key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent')),
    mails TEXT NOT NULL,
    member_keys TEXT NOT NULL,
    ids TEXT,
    created_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS errand_mail_route_members (
    member_key TEXT PRIMARY KEY,
    route_key TEXT NOT NULL REFERENCES errand_mail_routes (route_key) ON DELETE CASCADE
  )`,
  "CREATE INDEX IF NOT EXISTS errand_mail_route_members_route ON errand_mail_route_members (route_key)",
  "CREATE INDEX IF NOT EXISTS errand_mail_routes_created ON errand_mail_routes (created_at)",
];

interface RouteRow {
  route_key: string;
  state: "pending" | "sent";
  mails: string;
  member_keys: string;
  ids: string | null;
  created_at: number;
}

/** The delivery ledger in a SQLite file (WAL, synchronous=FULL: a route must survive a crash). */
export class SqliteDeliveryLedger implements DeliveryLedger {
  readonly #db: Database;
  readonly #owned: boolean;
  readonly #insert: (route: Omit<DeliveryRoute, "state" | "ids">) => void;

  constructor(target: { path: string } | { database: Database }) {
    this.#owned = "path" in target;
    this.#db = "path" in target ? new Database(target.path, { create: true }) : target.database;
    this.#db.run("PRAGMA busy_timeout = 5000");
    this.#db.run("PRAGMA foreign_keys = ON");
    if (this.#owned) {
      this.#db.run("PRAGMA journal_mode = WAL");
      this.#db.run("PRAGMA synchronous = FULL");
    }
    for (const statement of SCHEMA) this.#db.run(statement);
    const route = this.#db.query(
      "INSERT INTO errand_mail_routes (route_key, state, mails, member_keys, created_at) VALUES (?, 'pending', ?, ?, ?)",
    );
    const member = this.#db.query("INSERT INTO errand_mail_route_members (member_key, route_key) VALUES (?, ?)");
    this.#insert = this.#db.transaction((r: Omit<DeliveryRoute, "state" | "ids">) => {
      route.run(r.key, JSON.stringify(r.mails), JSON.stringify(r.memberKeys), r.createdAt);
      for (const key of r.memberKeys) member.run(key, r.key);
    });
  }

  async find(memberKey: string): Promise<DeliveryRoute | null> {
    const row = this.#db
      .query<RouteRow, [string]>(
        `SELECT r.* FROM errand_mail_route_members m JOIN errand_mail_routes r ON r.route_key = m.route_key WHERE m.member_key = ?`,
      )
      .get(memberKey);
    return row ? toRoute(row) : null;
  }

  async open(route: Omit<DeliveryRoute, "state" | "ids">): Promise<void> {
    this.#insert(route);
  }

  async markSent(routeKey: string, ids: readonly string[]): Promise<void> {
    this.#db
      .query("UPDATE errand_mail_routes SET state = 'sent', ids = ? WHERE route_key = ?")
      .run(JSON.stringify(ids), routeKey);
  }

  async void(routeKey: string): Promise<void> {
    this.#db.query("DELETE FROM errand_mail_routes WHERE route_key = ?").run(routeKey);
  }

  async prune(createdBefore: number): Promise<number> {
    return this.#db.query("DELETE FROM errand_mail_routes WHERE created_at < ?").run(createdBefore).changes;
  }

  async close(): Promise<void> {
    if (this.#owned) this.#db.close();
  }
}

function toRoute(row: RouteRow): DeliveryRoute {
  return {
    key: row.route_key,
    state: row.state,
    mails: JSON.parse(row.mails) as OutgoingMail[],
    memberKeys: JSON.parse(row.member_keys) as string[],
    ids: row.ids === null ? null : (JSON.parse(row.ids) as string[]),
    createdAt: row.created_at,
  };
}

export function sqliteDeliveryLedger(target: { path: string } | { database: Database }): SqliteDeliveryLedger {
  return new SqliteDeliveryLedger(target);
}
