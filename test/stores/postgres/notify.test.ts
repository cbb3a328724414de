import "../../support/postgres.ts";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { NewJob, Subscription } from "../../../src/jobs/store.ts";
import { type PostgresJobStore, postgresStore } from "../../../src/stores/postgres/index.ts";
import { wakeChannel } from "../../../src/stores/postgres/notifier.ts";
import { dropSchema, testClient, testDatabaseUrl, testSchema } from "./pg-test-db.ts";

const admin = testClient(2);
afterAll(() => admin.end());

const now = Date.now();
const job = (runAt = now): NewJob => ({
  name: "a",
  queue: "default",
  payload: 1,
  priority: 0,
  runAt,
  maxAttempts: 3,
  key: null,
});

let schema: string;
let producer: PostgresJobStore;
let consumer: PostgresJobStore;
let subscription: Subscription;
let wakes: number;
let woken: Promise<void>;
let onWake: () => void;

function expectWake(): void {
  woken = new Promise((resolve) => (onWake = resolve));
}

/** Resolves true on a wake-up, false when none came within `ms`. */
function wokeWithin(ms: number): Promise<boolean> {
  return Promise.race([woken.then(() => true), Bun.sleep(ms).then(() => false)]);
}

beforeEach(async () => {
  schema = testSchema("notify");
  producer = postgresStore({ url: testDatabaseUrl, schema, max: 2 });
  consumer = postgresStore({ url: testDatabaseUrl, schema, max: 2 });
  await producer.init();
  await consumer.init();
  wakes = 0;
  expectWake();
  subscription = await consumer.subscribe(() => {
    wakes++;
    onWake();
  });
});
afterEach(async () => {
  await subscription.close();
  await Promise.all([producer.close(), consumer.close()]);
  await dropSchema(admin, schema);
});

describe("LISTEN/NOTIFY wake-ups across instances", () => {
  test("an enqueue of a due job in another instance wakes the subscriber, once per batch", async () => {
    await producer.enqueue([job(), job(), job()], { now });
    expect(await wokeWithin(2_000)).toBe(true);
    await Bun.sleep(100);
    expect(wakes).toBe(1);
  });

  test("a job due later wakes nobody", async () => {
    await producer.enqueue([job(now + 60_000)], { now });
    expect(await wokeWithin(300)).toBe(false);
  });

  test("a rolled-back enqueue wakes nobody; the wake-up comes with the commit", async () => {
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const db = drizzle({ client: producer.pool });
    await db
      .transaction(async (tx) => {
        await producer.enqueue([job()], { now, tx });
        expect(await wokeWithin(200)).toBe(false);
        tx.rollback();
      })
      .catch(() => {});
    expect(await wokeWithin(200)).toBe(false);
    await db.transaction(async (tx) => {
      await producer.enqueue([job()], { now, tx });
    });
    expect(await wokeWithin(2_000)).toBe(true);
  });

  test("releasing jobs wakes other instances so they take them at once", async () => {
    const ids = (await producer.enqueue([job()], { now })).map((r) => r.id);
    expect(await wokeWithin(2_000)).toBe(true);
    await producer.claim({ workerId: "p", limit: 10, now, leaseMs: 30_000, names: ["a"] });
    expectWake();
    await producer.release(ids, { workerId: "p", now });
    expect(await wokeWithin(2_000)).toBe(true);
  });

  test("a listener whose connection is killed listens again, and wakes once to catch up", async () => {
    const listening = `listen "${wakeChannel(schema)}"`;
    const listenerPids = async () =>
      (
        await admin.unsafe<{ pid: number }>(
          "select pid from pg_stat_activity where datname = current_database() and query = $1",
          [listening],
        )
      ).map((row) => row.pid);
    const [before] = await listenerPids();
    expect(before).toBeNumber();
    await admin.unsafe("select pg_terminate_backend($1)", [before]);
    // Whatever was announced while nobody listened is lost: the listener wakes once when it is back.
    expect(await wokeWithin(3_000)).toBe(true);
    const [after] = await listenerPids();
    expect(after).toBeNumber();
    expect(after).not.toBe(before);
    expectWake();
    await producer.enqueue([job()], { now });
    expect(await wokeWithin(2_000)).toBe(true);
  });
});
