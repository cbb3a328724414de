// The transactional outbox end to end: a business row and its job, written in one drizzle
// transaction, commit or roll back together. The store only calls the transaction's `execute`, so
// the app's drizzle may sit on node-postgres (sharing the store's pool) or on another driver.
import "../../support/postgres.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql as drizzleSql } from "drizzle-orm";
import { drizzle as bunSqlDrizzle } from "drizzle-orm/bun-sql";
import { drizzle as nodePgDrizzle } from "drizzle-orm/node-postgres";
import { pgSchema, serial, text } from "drizzle-orm/pg-core";
import { t } from "elysia";
import { silentLogger } from "../../../src/hosting/index.ts";
import { createJobs, defineJob } from "../../../src/jobs/index.ts";
import { type PostgresTx, postgresStore } from "../../../src/stores/postgres/index.ts";
import { dropSchema, testClient, testDatabaseUrl, testSchema } from "./pg-test-db.ts";

class SignupFailed extends Error {
  override name = "SignupFailed";
}

const pool = testClient();
const bunSql = new Bun.SQL(testDatabaseUrl, { max: 2 });
afterAll(async () => {
  await pool.end();
  await bunSql.close();
});

const setups = {
  "drizzle on node-postgres, the store on the same pool": (schema: string) => {
    const db = nodePgDrizzle({ client: pool });
    return { db, store: postgresStore({ db, schema }) };
  },
  "drizzle on Bun.SQL, the store on its own pools": (schema: string) => ({
    db: bunSqlDrizzle({ client: bunSql }),
    store: postgresStore({ url: testDatabaseUrl, schema, max: 2 }),
  }),
};

for (const [name, setup] of Object.entries(setups)) {
  describe(`transactional outbox on PostgreSQL: ${name}`, () => {
    const schema = testSchema("outbox");
    const { db, store } = setup(schema);
    const users = pgSchema(schema).table("users", { id: serial("id").primaryKey(), email: text("email").notNull() });
    const welcome = defineJob({ name: "users.welcome", payload: t.Object({ email: t.String() }), handler: () => {} });
    const jobs = createJobs<PostgresTx>({ store, jobs: [welcome], logger: silentLogger });

    beforeAll(async () => {
      await store.init();
      await db.execute(drizzleSql`create table ${users} (id serial primary key, email text not null)`);
    });
    afterAll(async () => {
      await store.close();
      await dropSchema(pool, schema);
    });

    async function signUp(email: string, fail: boolean): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.insert(users).values({ email });
        await jobs.enqueue(welcome, { email }, { tx, key: `welcome:${email}` });
        if (fail) throw new SignupFailed(email);
      });
    }

    test("a failed transaction keeps neither the user nor the job", async () => {
      await expect(signUp("gone@example.com", true)).rejects.toThrow(SignupFailed);
      expect(await db.select().from(users)).toEqual([]);
      expect(await jobs.counts()).toMatchObject({ byState: { ready: 0 } });
    });

    test("a committed transaction keeps both; the same key again creates nothing", async () => {
      await signUp("kept@example.com", false);
      expect((await db.select().from(users)).map((u) => u.email)).toEqual(["kept@example.com"]);
      const page = await jobs.list({ name: "users.welcome" });
      expect(page.jobs.map((j) => j.payload)).toEqual([{ email: "kept@example.com" }]);
      const again = await db.transaction((tx) =>
        jobs.enqueue(welcome, { email: "x" }, { tx, key: "welcome:kept@example.com" }),
      );
      expect(again).toBe(page.jobs[0]!.id);
    });
  });
}
