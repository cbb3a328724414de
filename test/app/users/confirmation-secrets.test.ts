// Confirmation links are secrets: the job table (readable through the admin API for days) holds only
// references, and the link the mail job renders from them is the same on every attempt.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  confirmTokenFrom,
  eventually,
  generatedSecret,
  postJson,
  startTestApp,
  type TestApp,
} from "../support/harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_MAX: "1000", RESEND_CONFIRMATION_INTERVAL_MS: "0" });
});
afterAll(() => t.stop());

async function register(email: string): Promise<void> {
  const response = await t.request(
    "/api/users/register",
    postJson({ email, password: "long enough pw", displayName: "S" }),
  );
  expect(response.status).toBe(201);
}

/** Every row of the jobs table, every column, as stored. */
function storedJobs(): string {
  const db = new Database(`${t.dir}/app.sqlite`, { readonly: true });
  try {
    return JSON.stringify(db.query("SELECT * FROM errand_jobs").all());
  } finally {
    db.close();
  }
}

test("no confirmation token, link or address is stored in any job", async () => {
  await register("secret1@example.com");
  await register("secret2@example.com");
  const resent = await t.request("/api/users/resend-confirmation", postJson({ email: "secret2@example.com" }));
  expect(resent.status).toBe(202);
  await eventually(() => (t.transport.to("secret2@example.com").length === 2 ? true : undefined));
  const tokens = [...t.transport.to("secret1@example.com"), ...t.transport.to("secret2@example.com")].map(
    (mail) => mail.text.match(/confirm\?token=([\w-]+)/)![1]!,
  );
  expect(new Set(tokens).size).toBe(3);

  const jobs = storedJobs();
  expect(jobs).toContain("app.confirmation-mail");
  for (const token of tokens) expect(jobs).not.toContain(token);
  expect(jobs).not.toContain("token=");
  expect(jobs).not.toContain("secret1@example.com");
  // Each link works: the token the job derived is the one whose hash the registration stored.
  for (const token of tokens.slice(0, 2)) {
    expect((await t.request("/api/users/confirm", postJson({ token, password: "long enough pw" }))).status).toBe(200);
  }
});

test("a retried mail job renders the same link under the same key: the user gets one working mail", async () => {
  t.mailProvider.lostAnswers = 1;
  const before = t.mailProvider.requests.length;
  await register("retry@example.com");
  await eventually(() => (t.mailProvider.requests.length - before === 2 ? true : undefined), 10_000);
  const [first, second] = t.mailProvider.requests.slice(before);
  expect(second!.idempotencyKey).toBe(first!.idempotencyKey!);
  expect(second!.mail).toEqual(first!.mail);
  expect(t.transport.to("retry@example.com")).toHaveLength(1);
  const token = confirmTokenFrom(t.transport, "retry@example.com");
  expect((await t.request("/api/users/confirm", postJson({ token, password: "long enough pw" }))).status).toBe(200);
}, 15_000);

test("a confirmation mail queued for an account confirmed before it ran is not sent", async () => {
  const paused = await startTestApp({}, { start: false });
  try {
    const response = await paused.request(
      "/api/users/register",
      postJson({ email: "early@example.com", password: "long enough pw", displayName: "E" }),
    );
    const { id } = (await response.json()) as { id: string };
    const db = new Database(`${paused.dir}/app.sqlite`);
    db.run("UPDATE app_users SET confirmed_at = 1 WHERE id = ?", [id]);
    db.close();
    await paused.app.decorator.host.start();
    const [job] = (await paused.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs;
    await eventually(async () => ((await paused.runtime.jobs.get(job!.id))?.state === "succeeded" ? true : undefined));
    expect(paused.transport.sent).toHaveLength(0);
    expect(paused.logs.some((line) => line.includes("confirmation mail not sent"))).toBe(true);
  } finally {
    await paused.stop();
  }
});

test("a link queued under another AUTH_SECRET cannot be rebuilt: the job is dead with what to do, no mail", async () => {
  const before = await startTestApp({ AUTH_SECRET: generatedSecret() }, { start: false });
  const after = await startTestApp({ DATABASE_URL: `${before.dir}/app.sqlite`, AUTH_SECRET: generatedSecret() });
  try {
    const response = await before.request(
      "/api/users/register",
      postJson({ email: "rotated@example.com", password: "long enough pw", displayName: "R" }),
    );
    expect(response.status).toBe(201);
    const dead = await eventually(async () => (await after.runtime.jobs.list({ state: "dead" })).jobs[0]);
    expect((await after.runtime.jobs.get(dead.id))!.errors.at(-1)!.message).toContain(
      "AUTH_SECRET changed since the mail was queued",
    );
    expect(after.transport.sent).toHaveLength(0);
  } finally {
    await after.stop();
    await before.stop();
  }
});
