import { afterAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { emailTemplates } from "../../emails/index.ts";
import { mailPreview } from "../../src/elysia/mail-preview.ts";
import { createMailer, previewTransport } from "../../src/mail/index.ts";
import { sqlitePreviewStore } from "../../src/stores/sqlite/index.ts";

const store = sqlitePreviewStore({ path: ":memory:" });
afterAll(() => store.close());
const mail = createMailer({
  templates: emailTemplates,
  transport: previewTransport(store),
  from: "Errand <no-reply@errand.dev>",
});
const app = new Elysia().use(mailPreview({ store, enabled: true }));
const get = (path: string) => app.handle(new Request(`http://localhost${path}`));

describe("the preview transport and /dev/mail", () => {
  test("a sent mail is kept, listed, and shown with its HTML and text parts", async () => {
    const { id } = await mail.send("confirmation", {
      to: "ada@example.com",
      props: { displayName: "Ada", confirmUrl: "http://localhost:3000/api/users/confirm?token=abc" },
    });
    const list = await get("/dev/mail");
    expect(list.status).toBe(200);
    expect(list.headers.get("content-type")).toContain("text/html");
    const listHtml = await list.text();
    expect(listHtml).toContain(`href="/dev/mail/${id}"`);
    expect(listHtml).toContain("Confirm your account");
    expect(listHtml).toContain("ada@example.com");

    const detail = await (await get(`/dev/mail/${id}`)).text();
    expect(detail).toContain(`<iframe sandbox title="HTML part" src="/dev/mail/${id}/html">`);
    expect(detail).toContain("http://localhost:3000/api/users/confirm?token=abc");

    const html = await get(`/dev/mail/${id}/html`);
    expect(html.headers.get("content-security-policy")).toStartWith("sandbox");
    expect(await html.text()).toContain('href="http://localhost:3000/api/users/confirm?token=abc"');
    const text = await (await get(`/dev/mail/${id}/text`)).text();
    expect(text).toContain("Hello Ada,");
  });

  test("user-controlled subject and text are escaped on the page", async () => {
    const { id } = await mail.send("welcome", {
      to: "x@example.com",
      props: { displayName: "<script>alert(1)</script>", appUrl: "https://x.example" },
    });
    const list = await (await get("/dev/mail")).text();
    expect(list).not.toContain("<script>alert(1)</script>");
    expect(list).toContain("Welcome aboard, &lt;script&gt;alert(1)&lt;/script&gt;");
    const detail = await (await get(`/dev/mail/${id}`)).text();
    expect(detail).not.toContain("<script>alert(1)</script>");
  });

  test("the same idempotency key keeps one mail", async () => {
    const request = { to: "k@example.com", props: { displayName: "K", appUrl: "https://x.example" } };
    const a = await mail.send("welcome", request, { idempotencyKey: "k-1" });
    const b = await mail.send("welcome", request, { idempotencyKey: "k-1" });
    expect(b.id).toBe(a.id);
    expect((await store.list(100)).filter((m) => m.to.includes("k@example.com"))).toHaveLength(1);
  });

  test("unknown ids are 404", async () => {
    expect((await get("/dev/mail/999999")).status).toBe(404);
    expect((await get("/dev/mail/not-a-number/html")).status).toBe(404);
  });

  test("disabled (NODE_ENV=production by default) mounts nothing", async () => {
    const production = new Elysia().use(mailPreview({ store, enabled: false }));
    expect((await production.handle(new Request("http://localhost/dev/mail"))).status).toBe(404);
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      const byEnv = new Elysia().use(mailPreview({ store, prefix: "/dev/mail2" }));
      expect((await byEnv.handle(new Request("http://localhost/dev/mail2"))).status).toBe(404);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});
