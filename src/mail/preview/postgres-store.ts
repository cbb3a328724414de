import { type OpenPool, openPool, type PoolOptions } from "../../stores/postgres/connections.ts";
import { checkSchemaName } from "../../stores/postgres/schema-name.ts";
import { identifier } from "../../stores/postgres/template.ts";
import { MailConfigError } from "../errors.ts";
import type { OutgoingMail } from "../transport.ts";
import type { PreviewMail, PreviewMailSummary, PreviewStore } from "./store.ts";

/** `{ url }` (a pool of its own) or `{ pool }` (the app's node-postgres Pool, left open), and the schema. */
export type PostgresPreviewStoreOptions = { schema?: string } & PoolOptions;

interface Row {
  id: string;
  idempotency_key: string | null;
  sender: string;
  recipients: string[];
  reply_to: string | null;
  subject: string;
  html: string;
  text: string;
  created_at: string;
}

/**
 * Preview mails in PostgreSQL (table `mail_preview` in `schema`, default "errand", created on first
 * use). Recipients are a jsonb array, sent as `JSON.stringify`'d text: node-postgres would send a JS
 * array as a PostgreSQL array literal, which is not JSON.
 */
export class PostgresPreviewStore implements PreviewStore {
  readonly #pool: OpenPool;
  readonly #schema: string;
  readonly #table;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresPreviewStoreOptions) {
    this.#schema = checkSchemaName(options.schema ?? "errand", (message) => new MailConfigError(message));
    this.#pool = openPool("url" in options ? { url: options.url, max: 2 } : options);
    this.#table = identifier(this.#schema, "mail_preview");
  }

  async save(mail: OutgoingMail, idempotencyKey: string | undefined): Promise<PreviewMail> {
    const db = await this.#db();
    // The no-op update makes RETURNING yield the existing row when the key was kept before.
    const [row] = await db<Row>`
      INSERT INTO ${this.#table} (idempotency_key, sender, recipients, reply_to, subject, html, text, created_at)
      VALUES (${idempotencyKey ?? null}, ${mail.from}, ${JSON.stringify(mail.to)}::jsonb, ${mail.replyTo ?? null},
              ${mail.subject}, ${mail.html}, ${mail.text}, ${Date.now()}::bigint)
      ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
      RETURNING *`;
    return toMail(row!);
  }

  async list(limit: number): Promise<PreviewMailSummary[]> {
    const db = await this.#db();
    const rows = await db<Pick<Row, "id" | "recipients" | "subject" | "created_at">>`
      SELECT id, recipients, subject, created_at FROM ${this.#table} ORDER BY id DESC LIMIT ${limit}::int`;
    return rows.map((row) => ({
      id: String(row.id),
      to: row.recipients,
      subject: row.subject,
      createdAt: Number(row.created_at),
    }));
  }

  async get(id: string): Promise<PreviewMail | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const db = await this.#db();
    const [row] = await db<Row>`SELECT * FROM ${this.#table} WHERE id = ${id}::bigint`;
    return row ? toMail(row) : null;
  }

  async clear(): Promise<void> {
    const db = await this.#db();
    await db`DELETE FROM ${this.#table}`;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  #db() {
    this.#ready ??= this.#createTable().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready.then(() => this.#pool.db);
  }

  async #createTable(): Promise<void> {
    const { db } = this.#pool;
    await db.unsafe(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`);
    await db`CREATE TABLE IF NOT EXISTS ${this.#table} (
      id bigserial PRIMARY KEY,
      idempotency_key text UNIQUE,
      sender text NOT NULL,
      recipients jsonb NOT NULL,
      reply_to text,
      subject text NOT NULL,
      html text NOT NULL,
      text text NOT NULL,
      created_at bigint NOT NULL
    )`;
  }
}

function toMail(row: Row): PreviewMail {
  return {
    id: String(row.id),
    idempotencyKey: row.idempotency_key,
    from: row.sender,
    to: row.recipients,
    subject: row.subject,
    html: row.html,
    text: row.text,
    createdAt: Number(row.created_at),
    ...(row.reply_to === null ? {} : { replyTo: row.reply_to }),
  };
}

export function postgresPreviewStore(options: PostgresPreviewStoreOptions): PostgresPreviewStore {
  return new PostgresPreviewStore(options);
}
