import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Sql } from "postgres";
import { PostgresMigrationError } from "./errors.ts";

/** drizzle's journal table, kept in the store's schema so each schema has its own history. */
const journal = "__drizzle_migrations";

/**
 * Applies the drizzle-kit migrations in `folder` to `schema`, in one transaction.
 *
 * Why not drizzle's `migrate()`: the generated SQL names no schema, so it must run with
 * `search_path` set to the runtime schema, and drizzle's migrator would need a connection configured
 * that way (on a shared pool that would change the app's own connections). Here `SET LOCAL` scopes it
 * to this transaction. And instances starting together would race through `migrate()`; a
 * transaction-level advisory lock makes the second wait, then find the migrations recorded.
 */
export async function applyMigrations(sql: Sql, schema: string, folder: string): Promise<void> {
  try {
    const migrations = readMigrationFiles({ migrationsFolder: folder });
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('errand.migrate'), hashtext(${schema}))`;
      await tx.unsafe(`create schema if not exists "${schema}"`);
      await tx.unsafe(`set local search_path to "${schema}"`);
      await tx.unsafe(
        `create table if not exists "${schema}"."${journal}" (id serial primary key, hash text not null, created_at bigint)`,
      );
      const [last] = await tx.unsafe<{ created_at: string }[]>(
        `select created_at from "${schema}"."${journal}" order by created_at desc limit 1`,
      );
      const appliedUpTo = last ? Number(last.created_at) : -1;
      for (const migration of migrations) {
        if (migration.folderMillis <= appliedUpTo) continue;
        for (const statement of migration.sql) if (statement.trim()) await tx.unsafe(statement);
        await tx.unsafe(`insert into "${schema}"."${journal}" (hash, created_at) values ($1, $2)`, [
          migration.hash,
          migration.folderMillis,
        ]);
      }
    });
  } catch (error) {
    throw new PostgresMigrationError(schema, error);
  }
}
