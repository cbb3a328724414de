import { describe, expect, test } from "bun:test";
import { emailTemplates } from "../../emails/index.ts";
import {
  createMailer,
  InvalidMailPropsError,
  InvalidRecipientError,
  MailConfigError,
  memoryTransport,
  PreviewTransport,
  ResendTransport,
  transportFromEnv,
} from "../../src/mail/index.ts";
import { sqlitePreviewStore } from "../../src/stores/sqlite/index.ts";

function setup() {
  const transport = memoryTransport();
  const mail = createMailer({ templates: emailTemplates, transport, from: "Errand <no-reply@errand.dev>" });
  return { transport, mail };
}

describe("Mailer", () => {
  test("send renders the template and hands it to the transport", async () => {
    const { transport, mail } = setup();
    const delivery = await mail.send("confirmation", {
      to: "ada@example.com",
      props: { displayName: "Ada", confirmUrl: "https://x.example/c?t=1" },
    });
    expect(delivery.id).toBe("memory-1");
    const sent = transport.last()!;
    expect(sent.from).toBe("Errand <no-reply@errand.dev>");
    expect(sent.to).toEqual(["ada@example.com"]);
    expect(sent.subject).toBe("Confirm your account");
    expect(sent.text).toContain("https://x.example/c?t=1");
    expect(transport.to("ada@example.com")).toHaveLength(1);
  });

  test("the memory transport honors idempotency keys like the provider", async () => {
    const { transport, mail } = setup();
    const request = { to: ["bo@example.com"], props: { displayName: "Bo", appUrl: "https://x.example" } };
    const a = await mail.send("welcome", request, { idempotencyKey: "k1" });
    const b = await mail.send("welcome", request, { idempotencyKey: "k1" });
    expect(b).toEqual(a);
    expect(transport.sent).toHaveLength(1);
  });

  test("wrong props fail to type-check and are refused at run time", async () => {
    const { transport, mail } = setup();
    // @ts-expect-error confirmUrl is missing
    const missing = mail.send("confirmation", { to: "a@example.com", props: { displayName: "A" } });
    await expect(missing).rejects.toBeInstanceOf(InvalidMailPropsError);
    const wrongType = mail.send("password-reset", {
      to: "a@example.com",
      // @ts-expect-error expiresInMinutes must be a number
      props: { displayName: "A", resetUrl: "https://x.example", expiresInMinutes: "30" },
    });
    await expect(wrongType).rejects.toBeInstanceOf(InvalidMailPropsError);
    // @ts-expect-error "newsletter" is not a registered template
    await expect(mail.send("newsletter", { to: "a@example.com", props: {} })).rejects.toThrow(
      /Unknown mail template "newsletter"/,
    );
    expect(transport.sent).toHaveLength(0);
  });

  test("recipients are checked before anything is sent", async () => {
    const { transport, mail } = setup();
    const props = { displayName: "A", appUrl: "https://x.example" };
    await expect(mail.send("welcome", { to: "not-an-address", props })).rejects.toBeInstanceOf(InvalidRecipientError);
    await expect(mail.send("welcome", { to: [], props })).rejects.toBeInstanceOf(InvalidRecipientError);
    await mail.send("welcome", { to: "Ada Lovelace <ada@example.com>", props });
    expect(transport.sent).toHaveLength(1);
  });

  test("a mailer without a sender address is a configuration error", () => {
    expect(() => createMailer({ templates: emailTemplates, transport: memoryTransport(), from: "" })).toThrow(
      MailConfigError,
    );
  });

  test("transportFromEnv: Resend with an API key, else the preview transport", () => {
    const preview = transportFromEnv({}, () => sqlitePreviewStore({ path: ":memory:" }));
    expect(preview).toBeInstanceOf(PreviewTransport);
    const resend = transportFromEnv({ RESEND_API_KEY: "re_x", RESEND_BASE_URL: "http://127.0.0.1:1" }, () => {
      throw new Error("the preview store is not opened when a key is set");
    });
    expect(resend).toBeInstanceOf(ResendTransport);
  });

  test("warmUp renders every template's PreviewProps and sends nothing", async () => {
    const { transport, mail } = setup();
    await mail.warmUp();
    const rendered = await mail.render("password-reset", emailTemplates["password-reset"].previewProps);
    expect(rendered.subject).toBe("Reset your password");
    expect(transport.sent).toHaveLength(0);
  });
});
