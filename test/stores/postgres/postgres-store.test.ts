import "../../support/postgres.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  PostgresMigrationError,
  PostgresStoreConfigError,
  type PostgresStoreOptions,
  postgresStore,
} from "../../../src/stores/postgres/index.ts";
import { dropSchema, testClient, testDatabaseUrl, testSchema } from "./pg-test-db.ts";

const admin = testClient(2);
afterAll(() => admin.end());

describe("postgresStore options", () => {
  test("needs exactly one of url, sql, db", () => {
    expect(() => postgresStore({} as PostgresStoreOptions)).toThrow(PostgresStoreConfigError);
    const both = { url: testDatabaseUrl, sql: admin } as unknown as PostgresStoreOptions;
    expect(() => postgresStore(both)).toThrow(/exactly one/);
  });

  test("rejects a schema name that is not a plain identifier", () => {
    for (const schema of ['x"; drop table y; --', "1abc", "a.b", ""]) {
      expect(() => postgresStore({ sql: admin, schema })).toThrow(PostgresStoreConfigError);
    }
  });

  test("a shared client stays open after close; the store's own pool is ended", async () => {
    const schema = testSchema("opts");
    const shared = postgresStore({ sql: admin, schema });
    await shared.init();
    await shared.close();
    expect((await admin`select 1 as one`)[0]).toEqual({ one: 1 });
    const owned = postgresStore({ url: testDatabaseUrl, schema, max: 1 });
    await owned.init();
    await owned.close();
    await expect(owned.sql`select 1`.then(() => "ran")).rejects.toThrow();
    await dropSchema(admin, schema);
  });
});

describe("migrations", () => {
  const folder = join(import.meta.dir, "../../../drizzle/postgres");

  test("the generated SQL names no schema, so it can be applied to any schema", () => {
    const files = readdirSync(folder).filter((f) => f.endsWith(".sql"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(join(folder, file), "utf8")).not.toMatch(/"public"\./);
  });

  test("apply inside the configured schema only, and init is idempotent", async () => {
    const schema = testSchema("mig");
    const store = postgresStore({ sql: admin, schema });
    await store.init();
    await store.init();
    const tables = await admin<{ table_schema: string }[]>`
      select table_schema from information_schema.tables where table_name = 'jobs' and table_schema = ${schema}`;
    expect(tables).toHaveLength(1);
    const inPublic =
      await admin`select 1 from information_schema.tables where table_name = 'jobs' and table_schema = 'public'`;
    expect(inPublic).toHaveLength(0);
    const [journal] = await admin.unsafe<{ n: number }[]>(
      `select count(*)::int as n from "${schema}".__drizzle_migrations`,
    );
    expect(journal!.n).toBe(readdirSync(folder).filter((f) => f.endsWith(".sql")).length);
    await dropSchema(admin, schema);
  });

  test("a missing migrations folder is a typed error", async () => {
    const store = postgresStore({
      sql: admin,
      schema: testSchema("nofolder"),
      migrationsFolder: join(import.meta.dir, "no-such-folder"),
    });
    await expect(store.init()).rejects.toThrow(PostgresMigrationError);
  });

  test("a failing migration is a typed error and leaves nothing behind, not even the schema", async () => {
    const schema = testSchema("migfail");
    const store = postgresStore({
      sql: admin,
      schema,
      migrationsFolder: join(import.meta.dir, "fixtures/broken-migrations"),
    });
    await expect(store.init()).rejects.toThrow(/table_that_does_not_exist/);
    const schemas = await admin`select 1 from information_schema.schemata where schema_name = ${schema}`;
    expect(schemas).toHaveLength(0);
  });
});
