// Mail on PostgreSQL through the whole app: the preview store (no RESEND_API_KEY) and the delivery
// ledger (MAIL_BATCHING with Resend) share the app's node-postgres pool with drizzle, and a
// registration's mail arrives once, where it should.
import "../support/postgres.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pg from "pg";
import { FakeResend } from "../support/fake-resend.ts";
import { eventually, POSTGRES_URL, postJson, startTestApp, type TestApp } from "./support/harness.ts";

const password = "correct horse battery";
const register = (t: TestApp, email: string) =>
  t.request("/api/users/register", postJson({ email, password, displayName: "Pg" }));

describe("on PostgreSQL without RESEND_API_KEY", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_MAX: "1000" }, { postgres: true, previewMail: true });
  }, 30_000);
  afterAll(() => t?.stop());

  test("a registration's confirmation mail is kept and listed at /dev/mail", async () => {
    expect((await register(t, "preview@example.com")).status).toBe(201);
    const list = await eventually(async () => {
      const html = await (await t.request("/dev/mail")).text();
      return html.includes("preview@example.com") ? html : undefined;
    });
    const id = list.match(/href="\/dev\/mail\/(\d+)"/)![1];
    const detail = await (await t.request(`/dev/mail/${id}`)).text();
    expect(detail).toContain("Confirm your account");
    const states = async () =>
      (await t.runtime.jobs.list({ name: "app.confirmation-mail" })).jobs.map((job) => job.state);
    await eventually(async () => ((await states()).includes("running") ? undefined : true));
    expect(await states()).toEqual(["succeeded"]);
  });
});

describe("on PostgreSQL with MAIL_BATCHING and Resend", () => {
  const resend = new FakeResend();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      { RATE_LIMIT_MAX: "1000", MAIL_BATCHING: "true", RESEND_API_KEY: resend.apiKey, RESEND_BASE_URL: resend.url },
      { postgres: true, previewMail: true },
    );
  }, 30_000);
  afterAll(async () => {
    await t?.stop();
    await resend.stop();
  });

  test("every registration's mail is delivered once, each through a route kept in the ledger", async () => {
    const addresses = Array.from({ length: 12 }, (_, i) => `batched${i}@example.com`);
    const statuses = await Promise.all(addresses.map(async (address) => (await register(t, address)).status));
    expect(statuses).toEqual(addresses.map(() => 201));
    await eventually(() => (addresses.every((a) => resend.deliveriesTo(a).length > 0) ? true : undefined), 10_000);
    for (const address of addresses) expect(resend.deliveriesTo(address)).toHaveLength(1);

    const admin = new pg.Client(POSTGRES_URL);
    await admin.connect();
    try {
      const schema = t.config.jobsSchema;
      const { rows } = await admin.query(
        `select count(*)::int as members from "${schema}".mail_route_members m
         join "${schema}".mail_routes r on r.route_key = m.route_key where r.state = 'sent'`,
      );
      expect(rows[0].members).toBe(addresses.length);
    } finally {
      await admin.end();
    }
  });
});
