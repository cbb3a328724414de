import type { Database } from "bun:sqlite";
import type { EmbeddedMigration } from "../common.ts";
import { SqliteMigrationError } from "./errors.ts";
import { migrations as jobsMigrations } from "./migrations.generated.ts";

/**
 * Errand keeps its own migrations table, so an app running drizzle's migrator for its own tables on
 * the same database does not mix the two histories. Its shape and rows are those drizzle's migrator
 * writes (hash and created_at of each drizzle-kit migration): databases migrated by drizzle's
 * `migrate()` with this table name are recognised as up to date.
 */
const migrationsTable = "__errand_migrations";

/**
 * Applies the embedded drizzle-kit migrations (migrations.generated.ts) not yet recorded, in one
 * IMMEDIATE transaction: the history is read under the write lock, so two processes opening a new
 * file together cannot both apply the same migration; the second waits, then finds it recorded.
 */
export function applyMigrations(database: Database, migrations: readonly EmbeddedMigration[] = jobsMigrations): void {
  try {
    database.run(
      `CREATE TABLE IF NOT EXISTS "${migrationsTable}" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
    );
    database.transaction(() => applyPending(database, migrations)).immediate();
  } catch (error) {
    throw new SqliteMigrationError(database.filename || ":memory:", error);
  }
}

function applyPending(database: Database, migrations: readonly EmbeddedMigration[]): void {
  const last = database
    .query<{ created_at: number | string }, []>(
      `SELECT created_at FROM "${migrationsTable}" ORDER BY created_at DESC LIMIT 1`,
    )
    .get();
  const appliedUpTo = last ? Number(last.created_at) : -1;
  const record = database.prepare(`INSERT INTO "${migrationsTable}" ("hash", "created_at") VALUES (?1, ?2)`);
  for (const migration of migrations) {
    if (migration.createdAt <= appliedUpTo) continue;
    for (const statement of migration.statements) if (statement.trim()) database.run(statement);
    record.run(migration.hash, migration.createdAt);
  }
}
