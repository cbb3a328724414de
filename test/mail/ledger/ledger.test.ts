import { afterAll, describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { type DeliveryLedger, MemoryDeliveryLedger, type OutgoingMail } from "../../../src/mail/index.ts";
import { batchKey } from "../../../src/mail/ledger/route-key.ts";
import { PostgresDeliveryLedger } from "../../../src/stores/postgres/index.ts";
import { SqliteDeliveryLedger } from "../../../src/stores/sqlite/index.ts";
import { testDatabaseUrl } from "../../support/postgres.ts";

const PG_URL = testDatabaseUrl;
const schema = `errand_test_mail_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
// The app's pool, also used by drizzle: sharing it must not change how the store sends JSON.
drizzle({ client: admin });
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`DROP SCHEMA IF EXISTS ${schema}_shared CASCADE`);
  await admin.end();
});

const mail = (to: string): OutgoingMail => ({
  from: "a@errand.dev",
  to: [to],
  subject: "S",
  html: "<p>h</p>",
  text: "h",
});

const ledgers: [string, () => DeliveryLedger][] = [
  ["memory", () => new MemoryDeliveryLedger()],
  ["sqlite", () => new SqliteDeliveryLedger({ path: ":memory:" })],
  ["postgres", () => new PostgresDeliveryLedger({ url: PG_URL, schema })],
  ["postgres, the app's pool", () => new PostgresDeliveryLedger({ pool: admin, schema: `${schema}_shared` })],
];

for (const [name, create] of ledgers) {
  describe(`${name} delivery ledger`, () => {
    test("a route is found by each member, marked sent with its ids, voided, pruned", async () => {
      const ledger = create();
      try {
        const members = [`${name}/a`, `${name}/b`];
        const key = batchKey(members);
        await ledger.open({ key, memberKeys: members, mails: members.map(mail), createdAt: 1_000 });
        const found = await ledger.find(`${name}/b`);
        expect(found).toEqual({
          key,
          memberKeys: members,
          mails: members.map(mail),
          state: "pending",
          ids: null,
          createdAt: 1_000,
        });
        expect(await ledger.find(`${name}/c`)).toBeNull();

        await ledger.markSent(key, ["id-a", "id-b"]);
        expect((await ledger.find(`${name}/a`))?.ids).toEqual(["id-a", "id-b"]);
        expect((await ledger.find(`${name}/a`))?.state).toBe("sent");

        await ledger.void(key);
        expect(await ledger.find(`${name}/a`)).toBeNull();

        await ledger.open({ key: `${name}/old`, memberKeys: [`${name}/old`], mails: [mail("o@x.io")], createdAt: 10 });
        await ledger.open({
          key: `${name}/new`,
          memberKeys: [`${name}/new`],
          mails: [mail("n@x.io")],
          createdAt: 10_000,
        });
        expect(await ledger.prune(5_000)).toBe(1);
        expect(await ledger.find(`${name}/old`)).toBeNull();
        expect(await ledger.find(`${name}/new`)).not.toBeNull();
      } finally {
        await ledger.close();
      }
    });

    test("a mail can be in one open route only; a refused open writes nothing", async () => {
      const ledger = create();
      try {
        await ledger.open({ key: `${name}/solo`, memberKeys: [`${name}/x`], mails: [mail("x@x.io")], createdAt: 1 });
        const other = [`${name}/y`, `${name}/x`];
        await expect(
          ledger.open({ key: batchKey(other), memberKeys: other, mails: other.map(mail), createdAt: 1 }),
        ).rejects.toThrow();
        expect(await ledger.find(`${name}/y`)).toBeNull();
        expect((await ledger.find(`${name}/x`))?.key).toBe(`${name}/solo`);
      } finally {
        await ledger.close();
      }
    });
  });
}

test("the batch key depends on the members, not their order", () => {
  expect(batchKey(["k1", "k2", "k3"])).toBe(batchKey(["k3", "k1", "k2"]));
  expect(batchKey(["k1", "k2"])).not.toBe(batchKey(["k1", "k3"]));
  expect(batchKey(Array.from({ length: 100 }, (_, i) => `errand-mail/${i}-1764150000000`)).length).toBeLessThanOrEqual(
    256,
  );
});
