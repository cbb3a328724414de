import "../../support/postgres.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import pg from "pg";
import { readDrizzleFolder } from "../../../scripts/embed-migrations.ts";
import { openConnections } from "../../../src/stores/postgres/connections.ts";
import {
  PostgresMigrationError,
  PostgresStoreConfigError,
  type PostgresStoreOptions,
  postgresStore,
} from "../../../src/stores/postgres/index.ts";
import { applyMigrations } from "../../../src/stores/postgres/migrate.ts";
import { migrations } from "../../../src/stores/postgres/migrations.generated.ts";
import { dropSchema, testClient, testDatabaseUrl, testSchema } from "./pg-test-db.ts";

const admin = testClient(2);
afterAll(() => admin.end());

describe("postgresStore options", () => {
  test("needs exactly one of url, pool, db", () => {
    expect(() => postgresStore({} as PostgresStoreOptions)).toThrow(PostgresStoreConfigError);
    const both = { url: testDatabaseUrl, pool: admin } as unknown as PostgresStoreOptions;
    expect(() => postgresStore(both)).toThrow(/exactly one/);
  });

  test("a single node-postgres Client is refused: the store runs statements concurrently", () => {
    const client = new pg.Client(testDatabaseUrl);
    expect(() => postgresStore({ pool: client as unknown as pg.Pool })).toThrow(/Pool/);
  });

  test("rejects a schema name that is not a plain identifier", () => {
    for (const schema of ['x"; drop table y; --', "1abc", "a.b", ""]) {
      expect(() => postgresStore({ pool: admin, schema })).toThrow(PostgresStoreConfigError);
    }
  });

  test("a shared pool stays open after close; the store's own pool is ended", async () => {
    const schema = testSchema("opts");
    const shared = postgresStore({ pool: admin, schema });
    await shared.init();
    await shared.close();
    expect((await admin.unsafe("select 1 as one"))[0]).toEqual({ one: 1 });
    const owned = postgresStore({ url: testDatabaseUrl, schema, max: 1 });
    await owned.init();
    await owned.close();
    await expect(owned.pool.query("select 1").then(() => "ran")).rejects.toThrow();
    await dropSchema(admin, schema);
  });
});

describe("migrations", () => {
  const journalRows = async (schema: string) => [
    ...(await admin.unsafe<{ hash: string; created_at: string }>(
      `select hash, created_at from "${schema}".__errand_migrations order by id`,
    )),
  ];

  test("the embedded SQL names no schema, so it can be applied to any schema", () => {
    expect(migrations.length).toBeGreaterThan(0);
    for (const m of migrations) for (const s of m.statements) expect(s).not.toMatch(/"public"\./);
  });

  test("apply inside the configured schema only, and init is idempotent", async () => {
    const schema = testSchema("mig");
    const store = postgresStore({ pool: admin, schema });
    await store.init();
    await store.init();
    const tables = await admin.unsafe(
      "select table_schema from information_schema.tables where table_name = 'jobs' and table_schema = $1",
      [schema],
    );
    expect(tables).toHaveLength(1);
    const inPublic = await admin.unsafe(
      "select 1 from information_schema.tables where table_name = 'jobs' and table_schema = 'public'",
    );
    expect(inPublic).toHaveLength(0);
    expect(await journalRows(schema)).toEqual(
      migrations.map((m) => ({ hash: m.hash, created_at: String(m.createdAt) })),
    );
    await dropSchema(admin, schema);
  });

  test("a schema migrated by earlier versions (history in __drizzle_migrations) is up to date", async () => {
    const schema = testSchema("legacy");
    // What the earlier store left: the tables, and drizzle's rows for drizzle/postgres in its journal.
    const legacy = readMigrationFiles({ migrationsFolder: join(import.meta.dir, "../../../drizzle/postgres") });
    const tx = await admin.connect();
    try {
      await tx.query("begin");
      await tx.query(`create schema "${schema}"`);
      await tx.query(`set local search_path to "${schema}"`);
      for (const m of legacy) for (const s of m.sql) if (s.trim()) await tx.query(s);
      await tx.query(
        `create table __drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
      );
      for (const m of legacy)
        await tx.query("insert into __drizzle_migrations (hash, created_at) values ($1, $2)", [m.hash, m.folderMillis]);
      await tx.query("commit");
    } finally {
      tx.release();
    }
    const [job] = await admin.unsafe<{ id: string }>(
      `insert into "${schema}".jobs (name, queue, state, payload, max_attempts, run_at, enqueued_at)
       values ('a', 'default', 'ready', '{}', 1, 0, 0) returning id::text as id`,
    );
    const store = postgresStore({ pool: admin, schema });
    await store.init(); // would fail with "relation jobs already exists" if it applied 0000 again
    expect((await store.get(job!.id))!.name).toBe("a");
    expect(await journalRows(schema)).toEqual(
      legacy.map((m) => ({ hash: m.hash, created_at: String(m.folderMillis) })),
    );
    await dropSchema(admin, schema);
  });

  test("another history in __drizzle_migrations (an app's, same schema) is not taken for ours", async () => {
    const schema = testSchema("apphist");
    await admin.unsafe(`create schema "${schema}"`);
    await admin.unsafe(
      `create table "${schema}".__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
    );
    await admin.unsafe(`insert into "${schema}".__drizzle_migrations (hash, created_at) values ('app', 9999999999999)`);
    const store = postgresStore({ pool: admin, schema });
    await store.init();
    expect(await store.counts()).toEqual([]);
    expect(await journalRows(schema)).toHaveLength(migrations.length);
    await dropSchema(admin, schema);
  });

  test("a failing migration is a typed error and leaves nothing behind, not even the schema", async () => {
    const schema = testSchema("migfail");
    const broken = readDrizzleFolder(join(import.meta.dir, "fixtures/broken-migrations"));
    const failed = applyMigrations(openConnections({ pool: admin }).begin, schema, broken);
    await expect(failed).rejects.toThrow(PostgresMigrationError);
    await expect(failed).rejects.toThrow(/table_that_does_not_exist/);
    const schemas = await admin.unsafe("select 1 from information_schema.schemata where schema_name = $1", [schema]);
    expect(schemas).toHaveLength(0);
  });
});
