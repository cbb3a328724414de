import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { treaty } from "@elysiajs/eden";
import { hashToken } from "../../src/app/auth/secrets.ts";
import { testDatabaseUrl } from "../support/postgres.ts";
import { spawnChild } from "../support/process.ts";
import { confirmTokenFrom, eventually, postJson, startTestApp, type TestApp } from "./support/harness.ts";
import { victimOnlyFollowsLinks, victimRegistersAfterTheAttacker } from "./support/pre-hijacking.ts";
import { concurrentRefreshes, reuseAfterTheInterval } from "./support/refresh-race.ts";

// The same app on PostgreSQL (DATABASE_URL=postgres://...), in schemas of its own dropped afterwards.
let t: TestApp;
let api: ReturnType<typeof treaty<TestApp["app"]>>;
const password = "correct horse battery";

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_MAX: "1000" }, { postgres: true });
  api = treaty(t.app);
}, 30_000);
afterAll(() => t?.stop());

describe("on PostgreSQL", () => {
  test("register commits the user and its mail job together; a confirmed address is 409 with no job", async () => {
    const { status, data } = await api.api.users.register.post({
      email: "pg@example.com",
      password,
      displayName: "Pg",
    });
    expect(status).toBe(201);
    expect(data).toMatchObject({ email: "pg@example.com", confirmed: false });
    const mail = await eventually(() => t.transport.to("pg@example.com")[0]);
    expect(mail.subject).toBe("Confirm your account");
    const token = confirmTokenFrom(t.transport, "pg@example.com")!;
    expect((await api.api.users.confirm.post({ token, password })).status).toBe(200);
    const duplicate = await api.api.users.register.post({ email: "PG@example.com", password, displayName: "Again" });
    expect(duplicate.status).toBe(409);
    expect((await t.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs).toHaveLength(1);
  });

  test("confirm once, log in, rotate, and a reused refresh token revokes the family", async () => {
    const token = await eventually(() => confirmTokenFrom(t.transport, "pg@example.com"));
    expect((await api.api.users.confirm.post({ token, password })).error?.value).toMatchObject({ error: "used_token" });
    const first = (await api.api.auth.token.post({ email: "pg@example.com", password })).data!;
    const second = (await api.api.auth.refresh.post({ refreshToken: first.refreshToken })).data!;
    const third = (await api.api.auth.refresh.post({ refreshToken: second.refreshToken })).data!;
    expect((await api.api.auth.refresh.post({ refreshToken: first.refreshToken })).status).toBe(401);
    expect((await api.api.auth.refresh.post({ refreshToken: third.refreshToken })).status).toBe(401);
    const me = await api.api.users.me.get({ headers: { authorization: `Bearer ${second.accessToken}` } });
    expect(me.data).toMatchObject({ email: "pg@example.com", confirmed: true });
  });

  test("the jobs table holds references, not the confirmation token or the address", async () => {
    const token = await eventually(() => confirmTokenFrom(t.transport, "pg@example.com"));
    const { jobs } = await t.runtime.jobs.list({ name: "app.confirmation-mail" });
    const stored = JSON.stringify(await Promise.all(jobs.map((job) => t.runtime.jobs.get(job.id))));
    expect(stored).toContain("confirmationId");
    expect(stored).not.toContain(token);
    expect(stored).not.toContain("pg@example.com");
  });

  test("token-cleanup deletes expired refresh tokens and keeps valid ones", async () => {
    const user = (await t.runtime.repository.findUserByEmail("pg@example.com"))!;
    const now = Date.now();
    const row = (id: string, expiresAt: number) => ({
      id,
      familyId: "f",
      userId: user.id,
      tokenHash: hashToken(id),
      expiresAt,
      createdAt: now,
      revokedAt: null,
      replacedBy: null,
    });
    await t.runtime.repository.insertRefreshToken(row("pg-expired", now - 1000));
    await t.runtime.repository.insertRefreshToken(row("pg-valid", now + 3_600_000));
    const id = await t.runtime.crons.trigger("token-cleanup");
    await eventually(async () => ((await t.runtime.jobs.get(id))?.state === "succeeded" ? true : undefined));
    expect(await t.runtime.repository.findRefreshToken(hashToken("pg-expired"))).toBeNull();
    expect(await t.runtime.repository.findRefreshToken(hashToken("pg-valid"))).not.toBeNull();
    expect(t.logs.some((line) => line.includes("expired refresh tokens deleted"))).toBe(true);
  });
});

describe("on PostgreSQL: races and attacks", () => {
  let fast: TestApp;
  beforeAll(async () => {
    fast = await startTestApp(
      { RATE_LIMIT_MAX: "1000", RESEND_CONFIRMATION_INTERVAL_MS: "0", REFRESH_REUSE_INTERVAL_SECONDS: "1" },
      { postgres: true },
    );
  }, 30_000);
  afterAll(() => fast?.stop());

  test("account pre-hijacking: the victim registers after the attacker; the attacker's password never logs in", async () => {
    await victimRegistersAfterTheAttacker(fast, "pg-victim@example.com");
  });

  test("account pre-hijacking: following links confirms nothing without the registration's password", async () => {
    await victimOnlyFollowsLinks(fast, "pg-follower@example.com");
  });

  test("concurrent refreshes with one token get the same pair; the family lives", async () => {
    await concurrentRefreshes(fast, "pg-tabs@example.com");
  });

  test("a rotated refresh token presented after the reuse interval revokes the family", async () => {
    await reuseAfterTheInterval(fast, "pg-late-reuse@example.com");
  });

  test("8 concurrent registrations of one new address: each is answered 201, one registration remains", async () => {
    const email = "pg-burst@example.com";
    const statuses = await Promise.all(
      Array.from(
        { length: 8 },
        async (_, i) =>
          (
            await fast.request(
              "/api/users/register",
              postJson({ email, password: `password ${i} pg`, displayName: "B" }),
            )
          ).status,
      ),
    );
    expect(statuses).toEqual(Array(8).fill(201));
    const user = await fast.runtime.repository.findUserByEmail(email);
    expect(user).not.toBeNull();
  });

  test("10 concurrent confirmations of one link: one 200", async () => {
    const email = "pg-race@example.com";
    const password = "race password pg";
    const registered = await fast.request("/api/users/register", postJson({ email, password, displayName: "R" }));
    expect(registered.status).toBe(201);
    const token = await eventually(() => confirmTokenFrom(fast.transport, email));
    const statuses = await Promise.all(
      Array.from(
        { length: 10 },
        async () => (await fast.request("/api/users/confirm", postJson({ token, password }))).status,
      ),
    );
    expect(statuses.sort()).toEqual([200, ...Array(9).fill(400)]);
  });
});

test("a DATABASE_URL naming a database that does not exist: the process says which, and exits 1", async () => {
  const missing = new URL(testDatabaseUrl);
  missing.pathname = "/errand_no_such_db";
  const child = spawnChild(["bun", "src/main.ts"], { PORT: "0", NODE_ENV: "test", DATABASE_URL: missing.href });
  expect(await child.exited).toBe(1);
  const output = await child.waitForLine((line) => line.includes("Cannot use the PostgreSQL database"), 5_000);
  expect(output).toContain(
    `DATABASE_URL (host ${missing.hostname}:${missing.port || 5432}, database "errand_no_such_db"`,
  );
  expect(output).toContain("the database does not exist");
}, 30_000);
