import type { EmbeddedMigration } from "../common.ts";
import type { Query } from "./context.ts";
import { PostgresMigrationError } from "./errors.ts";
import { migrations as jobsMigrations } from "./migrations.generated.ts";
import type { Transaction } from "./transitions.ts";

/** The migrations history, in the store's schema so each schema has its own; named as on SQLite. */
const journal = "__errand_migrations";
/** Its name in earlier versions: drizzle's default, which an app's drizzle history in the same schema would share. */
const legacyJournal = "__drizzle_migrations";

/**
 * Applies the embedded drizzle-kit migrations (migrations.generated.ts) not yet recorded in `schema`,
 * in one transaction. The rows are those drizzle's migrator writes (hash, created_at).
 *
 * Why not drizzle's `migrate()`: the generated SQL names no schema, so it must run with `search_path`
 * set to the runtime schema, and drizzle's migrator would need a connection configured that way (on a
 * shared pool that would change the app's own connections). Here `SET LOCAL` scopes it to this
 * transaction. And instances starting together would race through `migrate()`; a transaction-level
 * advisory lock makes the second wait, then find the migrations recorded.
 */
export async function applyMigrations(
  transaction: Transaction,
  schema: string,
  migrations: readonly EmbeddedMigration[] = jobsMigrations,
): Promise<void> {
  try {
    await transaction(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('errand.migrate'), hashtext(${schema}))`;
      await tx.unsafe(`create schema if not exists "${schema}"`);
      await tx.unsafe(`set local search_path to "${schema}"`);
      await createJournal(tx, schema, migrations);
      const [last] = await tx.unsafe<{ created_at: string }>(
        `select created_at from "${schema}"."${journal}" order by created_at desc limit 1`,
      );
      const appliedUpTo = last ? Number(last.created_at) : -1;
      for (const migration of migrations) {
        if (migration.createdAt <= appliedUpTo) continue;
        for (const statement of migration.statements) if (statement.trim()) await tx.unsafe(statement);
        await tx.unsafe(`insert into "${schema}"."${journal}" (hash, created_at) values ($1, $2)`, [
          migration.hash,
          migration.createdAt,
        ]);
      }
    });
  } catch (error) {
    throw new PostgresMigrationError(schema, error);
  }
}

/**
 * Creates the history table when missing. A schema migrated before the rename keeps its history in
 * the legacy table: the rows that are ours (same hash and created_at as an embedded migration) are
 * copied, so it is recognised as up to date. The legacy table stays: it may be an app's history.
 */
async function createJournal(tx: Query, schema: string, migrations: readonly EmbeddedMigration[]): Promise<void> {
  const [found] = await tx<{ ours: boolean; legacy: boolean }>`
    select to_regclass(${`"${schema}"."${journal}"`}) is not null as ours,
           to_regclass(${`"${schema}"."${legacyJournal}"`}) is not null as legacy`;
  if (found!.ours) return;
  await tx.unsafe(
    `create table "${schema}"."${journal}" (id serial primary key, hash text not null, created_at bigint)`,
  );
  if (!found!.legacy) return;
  await tx.unsafe(
    `insert into "${schema}"."${journal}" (hash, created_at)
     select hash, created_at from "${schema}"."${legacyJournal}"
     where (hash, created_at) in (select * from unnest($1::text[], $2::bigint[])) order by id`,
    [migrations.map((m) => m.hash), migrations.map((m) => m.createdAt)],
  );
}
