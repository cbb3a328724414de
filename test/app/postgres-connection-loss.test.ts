// The app on PostgreSQL (a real process, mails through the fake Resend server, batched through the
// delivery ledger) while its connections are killed 8 times during 60 registrations, then while the
// database refuses connections for a while: the process stays up, /health/ready is 503 while the
// database is unreachable and 200 after, every acknowledged registration is kept, and every kept
// user gets exactly one confirmation mail.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { FakeResend } from "../support/fake-resend.ts";
import { killDatabase } from "../support/kill-database.ts";
import "../support/postgres.ts";
import { testClient } from "../stores/postgres/pg-test-db.ts";
import { type Child, listeningUrl, spawnChild } from "../support/process.ts";

const database = killDatabase("app");
const resend = new FakeResend();
let child: Child | undefined;

beforeAll(() => database.create());
afterAll(async () => {
  child?.proc.kill("SIGKILL");
  await resend.stop();
});

const registrations = 60;
const password = "correct horse battery";

test("killed 8 times during 60 registrations and unreachable for a while: up, 503 then 200, each mail once", async () => {
  child = spawnChild(["bun", "src/main.ts"], {
    PORT: "0",
    HOST: "127.0.0.1",
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    DATABASE_URL: database.url,
    RESEND_API_KEY: resend.apiKey,
    RESEND_BASE_URL: resend.url,
    MAIL_BATCHING: "true",
    RATE_LIMIT_MAX: "100000",
  });
  const app = child;
  let exitCode: number | null = null;
  void app.exited.then((code) => (exitCode = code));
  const url = await listeningUrl(app);
  const alive = (): void => {
    if (exitCode !== null) throw new Error(`the app exited (${exitCode}):\n${app.lines.slice(-40).join("\n")}`);
  };
  const ready = async () => {
    alive();
    return (await fetch(`${url}/health/ready`)).status;
  };

  // A registration is acknowledged by its 201. A failed one is sent again until it gets an answer:
  // 201, or 409 when the failed attempt had committed after all (its user exists, with its mail).
  const acknowledged = new Set<string>();
  let failures = 0;
  let next = 0;
  const register = async (email: string): Promise<void> => {
    for (;;) {
      const status = await fetch(`${url}/api/users/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password, displayName: "Kill" }),
      }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 201) acknowledged.add(email);
      if (status === 201 || status === 409) return;
      alive();
      failures++;
      await Bun.sleep(50);
    }
  };
  const clients = Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < registrations) {
        await register(`user${next++}@example.com`);
        await Bun.sleep(20);
      }
    }),
  );

  let killed = 0;
  for (let i = 0; i < 8; i++) {
    await Bun.sleep(150 + Math.random() * 100);
    killed += await database.kill();
  }
  await clients;
  expect(killed).toBeGreaterThan(8);
  expect(acknowledged.size).toBeGreaterThan(0);

  await database.refuse();
  const deadline = Date.now() + 10_000;
  while ((await ready()) !== 503) {
    if (Date.now() > deadline) throw new Error("/health/ready stayed 200 while the database refused connections");
    await Bun.sleep(50);
  }
  await Bun.sleep(500);
  expect(await ready()).toBe(503);
  await database.allow();
  const back = Date.now() + 15_000;
  while ((await ready()) !== 200) {
    if (Date.now() > back) throw new Error("/health/ready did not return to 200 once the database was back");
    await Bun.sleep(50);
  }

  const check = testClient(1, database.url);
  try {
    const users = (await check.unsafe<{ email: string }>("select email from public.app_users")).map((u) => u.email);
    for (const email of acknowledged) expect(users).toContain(email);
    const mailed = async () => users.every((email) => resend.deliveriesTo(email).length > 0);
    const mailDeadline = Date.now() + 20_000;
    while (!(await mailed()) && Date.now() < mailDeadline) await Bun.sleep(100);
    for (const email of users) expect({ email, mails: resend.deliveriesTo(email).length }).toEqual({ email, mails: 1 });
    expect(resend.deliveries).toHaveLength(users.length);
  } finally {
    await check.end();
  }

  expect(exitCode).toBeNull();
  app.proc.kill("SIGTERM");
  expect(await app.exited).toBe(0);
  console.log(`killed ${killed} connections; ${failures} failed requests were sent again`);
}, 60_000);
