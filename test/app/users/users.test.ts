import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { treaty } from "@elysiajs/eden";
import { hashToken } from "../../../src/app/auth/secrets.ts";
import { confirmTokenFrom, eventually, startTestApp, type TestApp } from "../support/harness.ts";
import { concurrentRefreshes, reuseAfterTheInterval } from "../support/refresh-race.ts";

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
  const confirmed = await api.api.users.confirm.post({ token, password });
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
    expect(mail.text).toContain("http://localhost:3000/confirm?token=");
  });

  test("a confirmed email (any case) is 409 and queues no second mail", async () => {
    await registerAndConfirm("taken@example.com");
    const before = (await t.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs.length;
    const { status, error } = await api.api.users.register.post({
      email: "TAKEN@example.com",
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
  test("works once, with the registration's password; then 400 used_token; unknown 400 invalid_token", async () => {
    await api.api.users.register.post({ email: "grace@example.com", password, displayName: "Grace" });
    const token = await eventually(() => confirmTokenFrom(t.transport, "grace@example.com"));
    const wrong = await api.api.users.confirm.post({ token, password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(wrong.error?.value).toMatchObject({ error: "invalid_credentials" });
    const first = await api.api.users.confirm.post({ token, password });
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({ confirmed: true, user: { email: "grace@example.com", confirmed: true } });
    const again = await api.api.users.confirm.post({ token, password });
    expect(again.status).toBe(400);
    expect(again.error?.value).toMatchObject({ error: "used_token" });
    const unknown = await api.api.users.confirm.post({ token: "nope", password });
    expect(unknown.error?.value).toMatchObject({ error: "invalid_token" });
  });

  test("10 concurrent confirmations of one link: one 200, nine 400 used_token", async () => {
    await api.api.users.register.post({ email: "race@example.com", password, displayName: "Race" });
    const token = await eventually(() => confirmTokenFrom(t.transport, "race@example.com"));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api.api.users.confirm.post({ token, password })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(400)]);
    for (const answer of answers.filter((a) => a.status === 400)) {
      expect(answer.error?.value).toMatchObject({ error: "used_token" });
    }
  });

  test("the mail's link opens a page that asks for the password and confirms with it", async () => {
    await api.api.users.register.post({ email: "page@example.com", password, displayName: "Page" });
    const link = await eventually(() => t.transport.to("page@example.com")[0]?.text.match(/https?:\/\/\S+/)?.[0]);
    const path = new URL(link).pathname + new URL(link).search;
    const token = new URL(link).searchParams.get("token")!;
    const page = await t.request(path);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain('type="password"');
    expect(html).toContain(`value="${token}"`);
    const form = (pw: string) => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, password: pw }).toString(),
    });
    const wrong = await t.request(path, form("not the password"));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('type="password"');
    const right = await t.request(path, form(password));
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("Your account is confirmed");
    expect((await t.runtime.repository.findUserByEmail("page@example.com"))!.confirmedAt).not.toBeNull();
    // A link mailed before confirming took a password leads to the same page.
    const old = await t.request(`/api/users/confirm?token=${token}`);
    expect(old.status).toBe(303);
    expect(old.headers.get("location")).toBe(`/confirm?token=${token}`);
    // A token that tries to break out of the attribute is escaped.
    const hostile = await (await t.request(`/confirm?token=${encodeURIComponent('"><script>x</script>')}`)).text();
    expect(hostile).not.toContain("<script>x");
  });

  test("tokens are stored hashed, and an expired one is refused with its reason", async () => {
    await api.api.users.register.post({ email: "late@example.com", password, displayName: "Late" });
    const token = await eventually(() => confirmTokenFrom(t.transport, "late@example.com"));
    const stored = await t.runtime.repository.findConfirmation(hashToken(token));
    expect(stored).not.toBeNull();
    expect(await t.runtime.repository.findConfirmation(token)).toBeNull();
    sql("UPDATE app_email_confirmations SET expires_at = 1 WHERE token_hash = ?", hashToken(token));
    const response = await api.api.users.confirm.post({ token, password });
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

  test("concurrent refreshes with one token get the same pair (reuse interval); the family lives", async () => {
    await concurrentRefreshes(t, "tabs@example.com");
  });

  test("a rotated refresh token presented after the reuse interval revokes the family", async () => {
    const short = await startTestApp({ RATE_LIMIT_MAX: "1000", REFRESH_REUSE_INTERVAL_SECONDS: "1" });
    try {
      await reuseAfterTheInterval(short, "late-reuse@example.com");
    } finally {
      await short.stop();
    }
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
