import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { treaty } from "@elysiajs/eden";
import { hashToken } from "../../../src/app/auth/secrets.ts";
import { confirmTokenFrom, eventually, startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
let api: ReturnType<typeof treaty<TestApp["app"]>>;

beforeAll(async () => {
  t = await startTestApp({ RESEND_CONFIRMATION_INTERVAL_MS: "60000", RATE_LIMIT_MAX: "1000" });
  api = treaty(t.app);
});
afterAll(() => t.stop());

const password = "correct horse battery";

/** A direct write to the app's database file, to move a row's time where a test needs it. */
function sql(statement: string, ...params: string[]) {
  const db = new Database(`${t.dir}/app.sqlite`);
  try {
    db.run(statement, params);
  } finally {
    db.close();
  }
}

async function registerAndConfirm(email: string) {
  const registered = await api.api.users.register.post({ email, password, displayName: "Test User" });
  expect(registered.status).toBe(201);
  const token = await eventually(() => confirmTokenFrom(t.transport, email));
  const confirmed = await api.api.users.confirm.get({ query: { token } });
  expect(confirmed.status).toBe(200);
  return registered.data!;
}

describe("register", () => {
  test("201 with Location and the user DTO, never the hash; the mail job commits with the user", async () => {
    const { data, status, headers } = await api.api.users.register.post({
      email: "Ada@Example.com",
      password,
      displayName: "Ada",
    });
    expect(status).toBe(201);
    expect(data).toMatchObject({ email: "ada@example.com", displayName: "Ada", confirmed: false });
    expect((headers as Headers).get("location")).toBe(`/api/users/${data!.id}`);
    expect(JSON.stringify(data)).not.toContain("argon2");
    const jobs = await t.runtime.jobs.list({ name: "app.confirmation-mail" });
    expect(jobs.jobs.length).toBe(1);
    const mail = await eventually(() => t.transport.to("ada@example.com")[0]);
    expect(mail.subject).toBe("Confirm your account");
    expect(mail.text).toContain("http://localhost:3000/api/users/confirm?token=");
  });

  test("duplicate email (any case) is 409 and queues no second mail", async () => {
    const before = (await t.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs.length;
    const { status, error } = await api.api.users.register.post({
      email: "ADA@example.com",
      password,
      displayName: "Other",
    });
    expect(status).toBe(409);
    expect(error?.value).toMatchObject({ error: "email_taken" });
    expect((await t.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs.length).toBe(before);
  });

  test("the request id reaches the logs of the mail job that request enqueued", async () => {
    const response = await t.app.handle(
      new Request("http://localhost/api/users/register", {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "req-trace-42" },
        body: JSON.stringify({ email: "trace@example.com", password, displayName: "Trace" }),
      }),
    );
    expect(response.headers.get("x-request-id")).toBe("req-trace-42");
    const delivered = await eventually(() =>
      t.logs.find((line) => line.includes('"mail delivered"') && line.includes("req-trace-42")),
    );
    expect(JSON.parse(delivered)).toMatchObject({ requestId: "req-trace-42", job: "app.confirmation-mail" });
  });

  test("password hashes are argon2id", async () => {
    const user = await t.runtime.repository.findUserByEmail("ada@example.com");
    expect(user!.passwordHash).toStartWith("$argon2id$");
  });
});

describe("confirm", () => {
  test("works once; then 400 used_token; unknown 400 invalid_token", async () => {
    await api.api.users.register.post({ email: "grace@example.com", password, displayName: "Grace" });
    const token = await eventually(() => confirmTokenFrom(t.transport, "grace@example.com"));
    const first = await api.api.users.confirm.get({ query: { token } });
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({ confirmed: true, user: { email: "grace@example.com", confirmed: true } });
    const again = await api.api.users.confirm.get({ query: { token } });
    expect(again.status).toBe(400);
    expect(again.error?.value).toMatchObject({ error: "used_token" });
    const unknown = await api.api.users.confirm.get({ query: { token: "nope" } });
    expect(unknown.error?.value).toMatchObject({ error: "invalid_token" });
  });

  test("tokens are stored hashed, and an expired one is refused with its reason", async () => {
    await api.api.users.register.post({ email: "late@example.com", password, displayName: "Late" });
    const token = await eventually(() => confirmTokenFrom(t.transport, "late@example.com"));
    const stored = await t.runtime.repository.findConfirmation(hashToken(token));
    expect(stored).not.toBeNull();
    expect(await t.runtime.repository.findConfirmation(token)).toBeNull();
    sql("UPDATE app_email_confirmations SET expires_at = 1 WHERE token_hash = ?", hashToken(token));
    const response = await api.api.users.confirm.get({ query: { token } });
    expect(response.status).toBe(400);
    expect(response.error?.value).toMatchObject({ error: "expired_token" });
  });
});

describe("resend-confirmation", () => {
  test("202, a new mail for an unconfirmed address, throttled per address; same answer for unknown ones", async () => {
    await api.api.users.register.post({ email: "resend@example.com", password, displayName: "R" });
    await eventually(() => t.transport.to("resend@example.com")[0]);
    const jobsBefore = (await t.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs.length;
    // Within the interval of the registration mail: accepted, nothing sent.
    const throttled = await api.api.users["resend-confirmation"].post({ email: "resend@example.com" });
    expect(throttled.status).toBe(202);
    const unknown = await api.api.users["resend-confirmation"].post({ email: "nobody@example.com" });
    expect(unknown.status).toBe(202);
    expect(unknown.data).toEqual(throttled.data!);
    expect((await t.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs.length).toBe(jobsBefore);

    // Once the interval has passed, a new link goes out; the old one still works until it expires.
    sql("UPDATE app_email_confirmations SET created_at = created_at - 120000");
    expect((await api.api.users["resend-confirmation"].post({ email: "resend@example.com" })).status).toBe(202);
    await eventually(() => (t.transport.to("resend@example.com").length === 2 ? true : undefined));
  });
});

describe("auth", () => {
  test("unconfirmed users cannot log in; wrong password is 401 without saying which part was wrong", async () => {
    await api.api.users.register.post({ email: "pending@example.com", password, displayName: "P" });
    const pending = await api.api.auth.token.post({ email: "pending@example.com", password });
    expect(pending.status).toBe(403);
    expect(pending.error?.value).toMatchObject({ error: "email_not_confirmed" });
    const wrong = await api.api.auth.token.post({ email: "pending@example.com", password: "wrong password" });
    const unknown = await api.api.auth.token.post({ email: "ghost@example.com", password });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.error?.value).toMatchObject({ error: "invalid_credentials", message: "Invalid email or password." });
    expect(unknown.error?.value).toMatchObject({ error: "invalid_credentials", message: "Invalid email or password." });
  });

  test("token -> me; refresh rotates; reusing a rotated token revokes the whole family", async () => {
    const user = await registerAndConfirm("linus@example.com");
    const login = await api.api.auth.token.post({ email: "linus@example.com", password });
    expect(login.status).toBe(200);
    const first = login.data!;
    const me = await api.api.users.me.get({ headers: { authorization: `Bearer ${first.accessToken}` } });
    expect(me.data).toMatchObject({ id: user.id, email: "linus@example.com", confirmed: true });
    const own = await api.api.users({ id: user.id }).get({ headers: { authorization: `Bearer ${first.accessToken}` } });
    expect(own.status).toBe(200);

    const second = (await api.api.auth.refresh.post({ refreshToken: first.refreshToken })).data!;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = (await api.api.auth.refresh.post({ refreshToken: second.refreshToken })).data!;
    expect(third.refreshToken).toBeString();

    // An attacker replays the first token: refused, and every token of the family dies with it.
    const replay = await api.api.auth.refresh.post({ refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    const legit = await api.api.auth.refresh.post({ refreshToken: third.refreshToken });
    expect(legit.status).toBe(401);
    const row = await t.runtime.repository.findRefreshToken(hashToken(third.refreshToken));
    expect(row!.revokedAt).not.toBeNull();
  });

  test("logout revokes the family; me without or with a bad token is 401", async () => {
    await registerAndConfirm("ken@example.com");
    const pair = (await api.api.auth.token.post({ email: "ken@example.com", password })).data!;
    expect((await api.api.auth.logout.post({ refreshToken: pair.refreshToken })).status).toBe(204);
    expect((await api.api.auth.refresh.post({ refreshToken: pair.refreshToken })).status).toBe(401);
    expect((await api.api.users.me.get({ headers: {} })).status).toBe(401);
    expect((await api.api.users.me.get({ headers: { authorization: `Bearer ${pair.accessToken}x` } })).status).toBe(
      401,
    );
  });

  test("tokens and password hashes never appear in logs", async () => {
    const pair = (await api.api.auth.token.post({ email: "ken@example.com", password })).data!;
    await api.api.users.me.get({ headers: { authorization: `Bearer ${pair.accessToken}` } });
    const log = t.logs.join("\n");
    expect(log).not.toContain(pair.accessToken);
    expect(log).not.toContain(pair.refreshToken);
    expect(log).not.toContain(password);
    expect(log).not.toContain("$argon2id$");
    const confirmToken = confirmTokenFrom(t.transport, "ken@example.com")!;
    expect(log).not.toContain(confirmToken);
  });
});
