import { afterEach, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import {
  InvalidMailPropsError,
  InvalidRecipientError,
  MemoryDeliveryLedger,
  ResendTransport,
} from "../../src/mail/index.ts";
import { sqliteDeliveryLedger } from "../../src/stores/sqlite/index.ts";
import { FakeResend } from "../support/fake-resend.ts";
import { confirmation, type QueuedMailer, startQueuedMailer, until } from "./helpers.ts";

let fake: FakeResend | undefined;
let queued: QueuedMailer | undefined;
afterEach(async () => {
  await queued?.stop();
  await fake?.stop();
  queued = undefined;
  fake = undefined;
});

function transportFor(server: FakeResend, perSecond: number, timeoutMs = 2_000) {
  return new ResendTransport({ apiKey: server.apiKey, baseUrl: server.url, rateLimit: { perSecond }, timeoutMs });
}

describe("queued mail through the jobs core", () => {
  test("enqueue returns at once; the job renders and delivers under a key derived from the job", async () => {
    fake = new FakeResend();
    queued = await startQueuedMailer({ transport: transportFor(fake, 100) });
    const outbox = queued.outbox;
    const id = await outbox.enqueue("confirmation", confirmation(1));
    await until(() => fake!.deliveries.length === 1, "the mail");
    const [delivered] = fake.deliveries;
    expect(delivered!.to).toEqual(["user1@example.com"]);
    expect(delivered!.subject).toBe("Confirm your account");
    expect(delivered!.idempotencyKey).toMatch(new RegExp(`^errand-mail/${id}-\\d+$`));
    await until(async () => (await queued!.jobs.get(id))?.state === "succeeded", "the job to succeed");
  });

  test("enqueue validates props and recipients at the call site and queues nothing", async () => {
    fake = new FakeResend();
    queued = await startQueuedMailer({ transport: transportFor(fake, 100) });
    const outbox = queued.outbox;
    await expect(
      // @ts-expect-error confirmUrl is missing
      outbox.enqueue("confirmation", { to: "a@example.com", props: { displayName: "A" } }),
    ).rejects.toBeInstanceOf(InvalidMailPropsError);
    await expect(
      outbox.enqueue("welcome", { to: "nobody", props: { displayName: "A", appUrl: "https://x.example" } }),
    ).rejects.toBeInstanceOf(InvalidRecipientError);
    expect(() =>
      // @ts-expect-error appUrl must be a string
      outbox.enqueueSync("welcome", { to: "a@example.com", props: { displayName: "A", appUrl: 1 } }),
    ).toThrow(InvalidMailPropsError);
    expect((await queued.jobs.counts()).byState.ready).toBe(0);
  });

  test("enqueueSync commits or rolls back with the caller's SQLite transaction", async () => {
    fake = new FakeResend();
    queued = await startQueuedMailer({ transport: transportFor(fake, 100) });
    const outbox = queued.outbox;
    const db = queued.database;
    db.run("CREATE TABLE users (email TEXT PRIMARY KEY)");
    const orm = drizzle({ client: db });
    const register = (i: number, fail: boolean) =>
      orm.transaction((tx) => {
        tx.run(sql`INSERT INTO users (email) VALUES (${`user${i}@example.com`})`);
        outbox.enqueueSync("confirmation", confirmation(i), { tx });
        if (fail) throw new Error("registration failed after the enqueue");
      });
    expect(() => register(2, true)).toThrow("registration failed");
    register(3, false);
    await until(() => fake!.deliveries.length === 1, "the committed mail");
    await Bun.sleep(100);
    expect(fake.deliveries.map((d) => d.to[0])).toEqual(["user3@example.com"]);
    expect(db.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 1 });
  });

  test("a 422 from the provider makes the job dead after one attempt, with the provider's message", async () => {
    fake = new FakeResend();
    queued = await startQueuedMailer({ transport: transportFor(fake, 100) });
    const outbox = queued.outbox;
    fake.inject({ kind: "422", message: "The gmail.com domain is not verified. Please, add and verify your domain." });
    const id = await outbox.enqueue("confirmation", confirmation(4));
    await until(async () => (await queued!.jobs.get(id))?.state === "dead", "the job to be dead");
    const job = (await queued.jobs.get(id))!;
    expect(job.attempts).toBe(1);
    expect(job.errors).toHaveLength(1);
    expect(job.errors[0]!.name).toBe("NonRetryableError");
    expect(job.errors[0]!.message).toContain("The gmail.com domain is not verified");
    expect(job.errors[0]!.message).toContain("422");
    expect(fake.requests.filter((r) => r.path === "/emails")).toHaveLength(1);
    expect(fake.deliveries).toHaveLength(0);
  });

  test("single sends through 500s, a 502, a 429, a hang and a drop: each mail exactly once", async () => {
    fake = new FakeResend({ rateLimit: { limit: 50 } });
    queued = await startQueuedMailer({ transport: transportFor(fake, 50, 300) });
    const outbox = queued.outbox;
    fake.inject(
      { kind: "500" },
      { kind: "hang" },
      { kind: "502" },
      { kind: "drop" },
      { kind: "429", retryAfterSeconds: 1 },
      { kind: "hang" },
      { kind: "500" },
    );
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) => outbox.enqueue("confirmation", confirmation(100 + i))),
    );
    await until(async () => (await queued!.jobs.counts()).byState.succeeded === ids.length, "every mail", 20_000);
    for (let i = 0; i < ids.length; i++) expect(fake.deliveriesTo(`user${100 + i}@example.com`)).toHaveLength(1);
    expect(fake.deliveries).toHaveLength(30);
    expect(fake.rateLimitViolations).toBe(0);
  }, 25_000);
});

describe("under provider faults", () => {
  test("300 queued mails through 20% 500s, 10% 429s and 5% timeouts: each arrives exactly once, none dead, the limit never exceeded", async () => {
    fake = new FakeResend({ rateLimit: { limit: 10 }, randomFaults: { "500": 0.2, "429": 0.1, hang: 0.05 }, seed: 7 });
    queued = await startQueuedMailer({
      transport: transportFor(fake, 10, 300),
      batching: { ledger: sqliteDeliveryLedger({ path: ":memory:" }), maxBatchSize: 10 },
      executors: 100,
    });
    const outbox = queued.outbox;
    // The random mix is per request; these make sure each ambiguous kind happens at least once.
    fake.inject({ kind: "hang" }, { kind: "drop" }, { kind: "502" });
    await Promise.all(Array.from({ length: 300 }, (_, i) => outbox.enqueue("confirmation", confirmation(1000 + i))));
    await until(async () => (await queued!.jobs.counts()).byState.succeeded === 300, "all 300 mails", 35_000);

    for (let i = 0; i < 300; i++) expect(fake.deliveriesTo(`user${1000 + i}@example.com`)).toHaveLength(1);
    expect(fake.deliveries).toHaveLength(300);
    expect((await queued.jobs.counts()).byState.dead).toBe(0);
    expect(fake.rateLimitViolations).toBe(0);
    const statuses = fake.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === "hang").length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === "drop").length).toBeGreaterThan(0);
  }, 40_000);
});

describe("batching", () => {
  test("mails waiting together leave in batch requests, each delivered once", async () => {
    fake = new FakeResend();
    queued = await startQueuedMailer({
      transport: transportFor(fake, 2),
      batching: { ledger: new MemoryDeliveryLedger(), maxBatchSize: 100 },
      executors: 120,
    });
    const outbox = queued.outbox;
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        outbox.enqueue("welcome", {
          to: `w${i}@example.com`,
          props: { displayName: `W${i}`, appUrl: "https://x.example" },
        }),
      ),
    );
    await until(async () => (await queued!.jobs.counts()).byState.succeeded === 120, "every mail", 10_000);
    expect(fake.deliveries).toHaveLength(120);
    expect(new Set(fake.deliveries.map((d) => d.to[0])).size).toBe(120);
    expect(fake.requests.length).toBeLessThan(10);
    expect(fake.deliveries.filter((d) => d.batch).length).toBeGreaterThan(100);
  }, 20_000);

  test("a refused batch (422) does not sink its members: each goes alone and arrives once", async () => {
    fake = new FakeResend();
    queued = await startQueuedMailer({
      transport: transportFor(fake, 1000),
      batching: { ledger: new MemoryDeliveryLedger(), maxBatchSize: 100, concurrency: 1 },
      executors: 20,
    });
    const outbox = queued.outbox;
    fake.inject({ kind: "429", retryAfterSeconds: 0 }, { kind: "422", message: "Invalid `to` field." });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        outbox.enqueue("welcome", {
          to: `ok${i}@example.com`,
          props: { displayName: "O", appUrl: "https://x.example" },
        }),
      ),
    );
    await until(async () => (await queued!.jobs.counts()).byState.succeeded === 6, "the mails", 10_000);
    expect(fake.deliveries).toHaveLength(6);
    expect(fake.deliveries.every((d) => !d.batch)).toBe(true);
    expect(fake.requests.filter((r) => r.path === "/emails/batch" && r.status === 422).length).toBe(1);
  }, 20_000);
});
