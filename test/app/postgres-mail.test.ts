// Mail on PostgreSQL through the whole app: the preview store (no RESEND_API_KEY) shares the app's
// node-postgres pool with drizzle, and a registration's mail arrives where it should.
import "../support/postgres.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually, postJson, startTestApp, type TestApp } from "./support/harness.ts";

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
