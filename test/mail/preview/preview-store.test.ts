import { afterAll, describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { OutgoingMail, PreviewStore } from "../../../src/mail/index.ts";
import { PostgresPreviewStore } from "../../../src/stores/postgres/index.ts";
import { SqlitePreviewStore } from "../../../src/stores/sqlite/index.ts";
import { testDatabaseUrl } from "../../support/postgres.ts";

const PG_URL = testDatabaseUrl;
const schema = `errand_test_preview_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
// The app's pool, also used by drizzle: sharing it must not change how the store sends JSON.
drizzle({ client: admin });
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`DROP SCHEMA IF EXISTS ${schema}_shared CASCADE`);
  await admin.end();
});

const mail = (to: string, subject = "Hello"): OutgoingMail => ({
  from: "Errand <a@errand.dev>",
  to: [to],
  subject,
  html: "<p>h</p>",
  text: "h",
  replyTo: "help@errand.dev",
});

const stores: [string, () => PreviewStore][] = [
  ["sqlite", () => new SqlitePreviewStore({ path: ":memory:" })],
  ["postgres", () => new PostgresPreviewStore({ url: PG_URL, schema })],
  ["postgres, the app's pool", () => new PostgresPreviewStore({ pool: admin, schema: `${schema}_shared` })],
];

for (const [name, create] of stores) {
  describe(`${name} preview store`, () => {
    test("keeps mails, lists newest first, gets one, honors idempotency keys, clears", async () => {
      const store = create();
      try {
        await store.clear();
        const first = await store.save(mail("a@x.io", "First"), "key-1");
        const again = await store.save(mail("a@x.io", "First"), "key-1");
        expect(again.id).toBe(first.id);
        const second = await store.save(mail("b@x.io", "Second"), undefined);
        await store.save(mail("c@x.io", "Third"), undefined);

        const list = await store.list(2);
        expect(list.map((m) => m.subject)).toEqual(["Third", "Second"]);
        const got = await store.get(second.id);
        expect(got).toMatchObject({
          id: second.id,
          to: ["b@x.io"],
          subject: "Second",
          html: "<p>h</p>",
          text: "h",
          replyTo: "help@errand.dev",
          idempotencyKey: null,
        });
        expect(await store.get("424242")).toBeNull();
        expect(await store.get("nope")).toBeNull();

        await store.clear();
        expect(await store.list(10)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}
