// The transactional outbox end to end: a business row and its job, written in one drizzle
// transaction on the app's own client, commit or roll back together.
import "../../support/postgres.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql as drizzleSql } from "drizzle-orm";
import { pgSchema, serial, text } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import { t } from "elysia";
import { silentLogger } from "../../../src/hosting/index.ts";
import { createJobs, defineJob } from "../../../src/jobs/index.ts";
import { type PostgresTx, postgresStore } from "../../../src/stores/postgres/index.ts";
import { dropSchema, testClient, testSchema } from "./pg-test-db.ts";

const client = testClient();
const db = drizzle({ client });
const schema = testSchema("outbox");
const users = pgSchema(schema).table("users", { id: serial("id").primaryKey(), email: text("email").notNull() });
const store = postgresStore({ db, schema });
const welcome = defineJob({ name: "users.welcome", payload: t.Object({ email: t.String() }), handler: () => {} });
const jobs = createJobs<PostgresTx>({ store, jobs: [welcome], logger: silentLogger });

beforeAll(async () => {
  await store.init();
  await db.execute(drizzleSql`create table ${users} (id serial primary key, email text not null)`);
});
afterAll(async () => {
  await dropSchema(client, schema);
  await client.end();
});

class SignupFailed extends Error {
  override name = "SignupFailed";
}

async function signUp(email: string, fail: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(users).values({ email });
    await jobs.enqueue(welcome, { email }, { tx });
    if (fail) throw new SignupFailed(email);
  });
}

describe("transactional outbox on PostgreSQL", () => {
  test("a failed transaction keeps neither the user nor the job", async () => {
    await expect(signUp("gone@example.com", true)).rejects.toThrow(SignupFailed);
    expect(await db.select().from(users)).toEqual([]);
    expect(await jobs.counts()).toMatchObject({ byState: { ready: 0 } });
  });

  test("a committed transaction keeps both", async () => {
    await signUp("kept@example.com", false);
    expect((await db.select().from(users)).map((u) => u.email)).toEqual(["kept@example.com"]);
    const page = await jobs.list({ name: "users.welcome" });
    expect(page.jobs.map((j) => j.payload)).toEqual([{ email: "kept@example.com" }]);
  });
});
