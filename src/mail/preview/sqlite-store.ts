import { Database } from "bun:sqlite";
import type { OutgoingMail } from "../transport.ts";
import type { PreviewMail, PreviewMailSummary, PreviewStore } from "./store.ts";

interface Row {
  id: number;
  idempotency_key: string | null;
  sender: string;
  recipients: string;
  reply_to: string | null;
  subject: string;
  html: string;
  text: string;
  created_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS errand_mail_preview (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT UNIQUE,
  sender TEXT NOT NULL,
  recipients TEXT NOT NULL,
  reply_to TEXT,
  subject TEXT NOT NULL,
  html TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
)`;

/** Preview mails in a SQLite file (or `:memory:`), in a table of their own next to the app's. */
export class SqlitePreviewStore implements PreviewStore {
  readonly #db: Database;
  readonly #owned: boolean;

  constructor(target: { path: string } | { database: Database }) {
    this.#owned = "path" in target;
    this.#db = "path" in target ? new Database(target.path, { create: true }) : target.database;
    this.#db.run("PRAGMA busy_timeout = 5000");
    this.#db.run(SCHEMA);
  }

  async save(mail: OutgoingMail, idempotencyKey: string | undefined): Promise<PreviewMail> {
    const row = this.#db
      .query<Row, [string | null, string, string, string | null, string, string, string, number]>(
        `INSERT INTO errand_mail_preview (idempotency_key, sender, recipients, reply_to, subject, html, text, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = excluded.idempotency_key
         RETURNING *`,
      )
      .get(
        idempotencyKey ?? null,
        mail.from,
        JSON.stringify(mail.to),
        mail.replyTo ?? null,
        mail.subject,
        mail.html,
        mail.text,
        Date.now(),
      );
    return toMail(row!);
  }

  async list(limit: number): Promise<PreviewMailSummary[]> {
    const rows = this.#db
      .query<Pick<Row, "id" | "recipients" | "subject" | "created_at">, [number]>(
        "SELECT id, recipients, subject, created_at FROM errand_mail_preview ORDER BY id DESC LIMIT ?",
      )
      .all(limit);
    return rows.map((row) => ({
      id: String(row.id),
      to: JSON.parse(row.recipients) as string[],
      subject: row.subject,
      createdAt: row.created_at,
    }));
  }

  async get(id: string): Promise<PreviewMail | null> {
    if (!/^\d+$/.test(id)) return null;
    const row = this.#db.query<Row, [number]>("SELECT * FROM errand_mail_preview WHERE id = ?").get(Number(id));
    return row ? toMail(row) : null;
  }

  async clear(): Promise<void> {
    this.#db.run("DELETE FROM errand_mail_preview");
  }

  async close(): Promise<void> {
    if (this.#owned) this.#db.close();
  }
}

function toMail(row: Row): PreviewMail {
  return {
    id: String(row.id),
    idempotencyKey: row.idempotency_key,
    from: row.sender,
    to: JSON.parse(row.recipients) as string[],
    subject: row.subject,
    html: row.html,
    text: row.text,
    createdAt: row.created_at,
    ...(row.reply_to === null ? {} : { replyTo: row.reply_to }),
  };
}

export function sqlitePreviewStore(target: { path: string } | { database: Database }): SqlitePreviewStore {
  return new SqlitePreviewStore(target);
}
