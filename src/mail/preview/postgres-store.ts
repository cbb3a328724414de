import postgres, { type Sql } from "postgres";
import { checkSchemaName } from "../../stores/postgres/schema-name.ts";
import { MailConfigError } from "../errors.ts";
import type { OutgoingMail } from "../transport.ts";
import type { PreviewMail, PreviewMailSummary, PreviewStore } from "./store.ts";

export type PostgresPreviewStoreOptions = { schema?: string } & ({ url: string } | { sql: Sql });

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

/** Preview mails in PostgreSQL (table `mail_preview` in `schema`, default "errand", created on first use). */
export class PostgresPreviewStore implements PreviewStore {
  readonly #sql: Sql;
  readonly #owned: boolean;
  readonly #schema: string;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresPreviewStoreOptions) {
    this.#schema = checkSchemaName(options.schema ?? "errand", (message) => new MailConfigError(message));
    this.#owned = "url" in options;
    this.#sql = "url" in options ? postgres(options.url, { max: 2, onnotice: () => {} }) : options.sql;
  }

  async save(mail: OutgoingMail, idempotencyKey: string | undefined): Promise<PreviewMail> {
    const sql = await this.#db();
    const table = sql`${sql(this.#schema)}.mail_preview`;
    // The no-op update makes RETURNING yield the existing row when the key was kept before.
    const [row] = await sql<Row[]>`
      INSERT INTO ${table} (idempotency_key, sender, recipients, reply_to, subject, html, text, created_at)
      VALUES (${idempotencyKey ?? null}, ${mail.from}, ${sql.json(mail.to)}, ${mail.replyTo ?? null}, ${mail.subject}, ${mail.html}, ${mail.text}, ${Date.now()})
      ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
      RETURNING *`;
    return toMail(row!);
  }

  async list(limit: number): Promise<PreviewMailSummary[]> {
    const sql = await this.#db();
    const rows = await sql<Pick<Row, "id" | "recipients" | "subject" | "created_at">[]>`
      SELECT id, recipients, subject, created_at FROM ${sql(this.#schema)}.mail_preview ORDER BY id DESC LIMIT ${limit}`;
    return rows.map((row) => ({
      id: String(row.id),
      to: row.recipients,
      subject: row.subject,
      createdAt: Number(row.created_at),
    }));
  }

  async get(id: string): Promise<PreviewMail | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const sql = await this.#db();
    const [row] = await sql<Row[]>`SELECT * FROM ${sql(this.#schema)}.mail_preview WHERE id = ${id}`;
    return row ? toMail(row) : null;
  }

  async clear(): Promise<void> {
    const sql = await this.#db();
    await sql`DELETE FROM ${sql(this.#schema)}.mail_preview`;
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#sql.end({ timeout: 5 });
  }

  #db(): Promise<Sql> {
    this.#ready ??= this.#createTable();
    return this.#ready.then(() => this.#sql);
  }

  async #createTable(): Promise<void> {
    const sql = this.#sql;
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql(this.#schema)}`;
    await sql`CREATE TABLE IF NOT EXISTS ${sql(this.#schema)}.mail_preview (
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
