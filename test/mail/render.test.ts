import { describe, expect, test } from "bun:test";
import { render } from "@react-email/render";
import { createElement } from "react";
import { Confirmation } from "../../emails/confirmation.tsx";
import { emailTemplates } from "../../emails/index.ts";
import {
  InvalidMailPropsError,
  MailRenderer,
  type TemplateRegistry,
  UnknownTemplateError,
} from "../../src/mail/index.ts";

const renderer = new MailRenderer(emailTemplates);
const props = { displayName: "Ada", confirmUrl: "https://app.example/confirm?token=abc&x=1" };

describe("MailRenderer", () => {
  test("renders the confirmation mail: subject, HTML with the link, and a plain-text part", async () => {
    const mail = await renderer.render("confirmation", props);
    expect(mail.subject).toBe("Confirm your account");
    expect(mail.html.startsWith("<!DOCTYPE html")).toBe(true);
    expect(mail.html).toContain('href="https://app.example/confirm?token=abc&amp;x=1"');
    expect(mail.text).toContain("Hello Ada,");
    expect(mail.text).toContain("https://app.example/confirm?token=abc&x=1");
    expect(mail.text).not.toContain("<");
  });

  test("the text part equals what render(..., { plainText: true }) gives", async () => {
    const mail = await new MailRenderer(emailTemplates, { cacheSize: 0 }).render("confirmation", props);
    const reference = await render(createElement(Confirmation, props), { plainText: true });
    expect(mail.text).toBe(reference);
  });

  test('text: "fast" uses React Email\'s own converter: same words, no <tags>', async () => {
    const fast = await new MailRenderer(emailTemplates, { text: "fast" }).render("confirmation", props);
    expect(fast.text).toContain("Hello Ada,");
    expect(fast.text).toContain("https://app.example/confirm?token=abc&x=1");
    expect(fast.text).not.toContain("<");
    expect(fast.text).not.toContain("CONFIRM YOUR ACCOUNT");
  });

  test("user-supplied values are escaped: a <script> display name arrives as text", async () => {
    const hostile = {
      displayName: `<script>alert("x")</script><img src=x onerror=alert(1)>`,
      confirmUrl: "https://a.example/c",
    };
    const mail = await renderer.render("confirmation", hostile);
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<img src=x");
    expect(mail.html).toContain("&lt;script&gt;");
    expect(mail.text).toContain(`<script>alert("x")</script>`);
  });

  test("a javascript: URL is refused by the schema before React sees it", () => {
    expect(() => renderer.validate("confirmation", { displayName: "A", confirmUrl: "javascript:alert(1)" })).toThrow(
      InvalidMailPropsError,
    );
  });

  test("validation lists each problem", () => {
    try {
      renderer.validate("password-reset", {
        displayName: "",
        resetUrl: "https://x.example",
        expiresInMinutes: 0,
        extra: 1,
      });
      throw new Error("expected a throw");
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidMailPropsError);
      const problems = (error as InvalidMailPropsError).problems.join("\n");
      expect(problems).toContain("/displayName");
      expect(problems).toContain("/expiresInMinutes");
      expect((error as Error).message).toContain('"password-reset"');
    }
  });

  test("an unknown template name is a typed error naming the known ones", () => {
    const untyped = new MailRenderer<TemplateRegistry>(emailTemplates);
    expect(() => untyped.validate("nope", {})).toThrow(UnknownTemplateError);
    expect(() => untyped.validate("toString", {})).toThrow(/Registered templates: "confirmation"/);
  });

  test("the cache returns the same rendering for the same props and renders again for others", async () => {
    const cached = new MailRenderer(emailTemplates);
    const first = await cached.render("welcome", { displayName: "Bo", appUrl: "https://a.example" });
    expect(await cached.render("welcome", { displayName: "Bo", appUrl: "https://a.example" })).toBe(first);
    const other = await cached.render("welcome", { displayName: "Cy", appUrl: "https://a.example" });
    expect(other).not.toBe(first);
    expect(other.subject).toBe("Welcome aboard, Cy");
  });

  test("every template renders its PreviewProps", async () => {
    for (const name of Object.keys(emailTemplates) as (keyof typeof emailTemplates)[]) {
      const template = emailTemplates[name];
      const mail = await renderer.render(name, renderer.validate(name, template.previewProps));
      expect(mail.html.length).toBeGreaterThan(500);
      expect(mail.text.length).toBeGreaterThan(20);
    }
  });
});
