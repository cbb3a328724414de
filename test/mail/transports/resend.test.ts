import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  MailRateLimitedError,
  MailRejectedError,
  MailTransientError,
  type OutgoingMail,
  ResendTransport,
} from "../../../src/mail/index.ts";
import { FakeResend } from "../../support/fake-resend.ts";

let fake: FakeResend;
beforeAll(() => {
  fake = new FakeResend();
});
afterAll(() => fake.stop());

const transport = (options: { timeoutMs?: number; apiKey?: string } = {}) =>
  new ResendTransport({
    apiKey: options.apiKey ?? fake.apiKey,
    baseUrl: fake.url,
    rateLimit: { perSecond: 1000 },
    timeoutMs: options.timeoutMs ?? 2000,
  });

let n = 0;
function mail(to = `user${++n}@example.com`): OutgoingMail {
  return { from: "Errand <no-reply@errand.dev>", to: [to], subject: "Hi", html: "<p>Hi</p>", text: "Hi" };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the send to fail");
}

describe("ResendTransport against the fake Resend API (real SDK)", () => {
  test("delivers a mail and returns the provider's id", async () => {
    const m = mail();
    const delivery = await transport().send(m);
    const delivered = fake.deliveriesTo(m.to[0]!);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.id).toBe(delivery.id);
    expect(delivered[0]!.text).toBe("Hi");
  });

  test("the same idempotency key delivers once and answers with the first id", async () => {
    const m = mail();
    const first = await transport().send(m, { idempotencyKey: "mail:idem-1" });
    const second = await transport().send(m, { idempotencyKey: "mail:idem-1" });
    expect(second.id).toBe(first.id);
    expect(fake.deliveriesTo(m.to[0]!)).toHaveLength(1);
  });

  test("the same key with a different payload is refused for good (409 invalid_idempotent_request)", async () => {
    await transport().send(mail(), { idempotencyKey: "mail:idem-2" });
    const error = await failure(transport().send(mail(), { idempotencyKey: "mail:idem-2" }));
    expect(error).toBeInstanceOf(MailRejectedError);
    expect((error as MailRejectedError).providerCode).toBe("invalid_idempotent_request");
  });

  test("a bad API key is rejected, not retried (403 invalid_api_key)", async () => {
    const error = await failure(transport({ apiKey: "re_wrong" }).send(mail()));
    expect(error).toBeInstanceOf(MailRejectedError);
    expect(error.message).toContain("API key is invalid");
    expect((error as MailRejectedError).statusCode).toBe(403);
  });

  test("an invalid address is rejected with the provider's message (422 validation_error)", async () => {
    const error = await failure(transport().send({ ...mail(), to: ["nope"] }));
    expect(error).toBeInstanceOf(MailRejectedError);
    expect((error as MailRejectedError).statusCode).toBe(422);
    expect(error.message).toContain("Invalid `to` field");
  });

  test("429 is rate-limited with retry-after, and pauses the shared bucket", async () => {
    fake.inject({ kind: "429", retryAfterSeconds: 3 });
    const t = transport();
    const error = await failure(t.send(mail()));
    expect(error).toBeInstanceOf(MailRateLimitedError);
    expect((error as MailRateLimitedError).retryAfterMs).toBe(3000);
    expect(t.limiter.tryAcquire()).toBe(false);
  });

  test("500 and a 502 with an HTML body are transient", async () => {
    fake.inject({ kind: "500" }, { kind: "502" });
    const e500 = await failure(transport().send(mail()));
    const e502 = await failure(transport().send(mail()));
    expect(e500).toBeInstanceOf(MailTransientError);
    expect((e500 as MailTransientError).statusCode).toBe(500);
    expect(e502).toBeInstanceOf(MailTransientError);
    expect((e502 as MailTransientError).statusCode).toBe(502);
  });

  test("a hung request times out as transient; the retry with the same key does not deliver twice", async () => {
    const m = mail();
    fake.inject({ kind: "hang" });
    const error = await failure(transport({ timeoutMs: 200 }).send(m, { idempotencyKey: "mail:hung" }));
    expect(error).toBeInstanceOf(MailTransientError);
    expect((error as MailTransientError).statusCode).toBeNull();
    const retry = await transport().send(m, { idempotencyKey: "mail:hung" });
    const delivered = fake.deliveriesTo(m.to[0]!);
    expect(delivered).toHaveLength(1);
    expect(retry.id).toBe(delivered[0]!.id);
  });

  test("a dropped connection is transient; the retry with the same key does not deliver twice", async () => {
    const m = mail();
    fake.inject({ kind: "drop" });
    const error = await failure(transport().send(m, { idempotencyKey: "mail:dropped" }));
    expect(error).toBeInstanceOf(MailTransientError);
    await transport().send(m, { idempotencyKey: "mail:dropped" });
    expect(fake.deliveriesTo(m.to[0]!)).toHaveLength(1);
  });

  test("the caller's abort is not a delivery failure: it rethrows the abort reason", async () => {
    fake.inject({ kind: "hang" });
    const controller = new AbortController();
    const sending = transport().send(mail(), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("host stopping")), 50);
    expect((await failure(sending)).message).toBe("host stopping");
  });

  test("batch.send delivers each mail once under one key", async () => {
    const mails = [mail(), mail(), mail()];
    const t = transport();
    const ids = await t.sendBatch(mails, { idempotencyKey: "batch:1" });
    const again = await t.sendBatch(mails, { idempotencyKey: "batch:1" });
    expect(again).toEqual(ids);
    for (const [i, m] of mails.entries()) {
      const delivered = fake.deliveriesTo(m.to[0]!);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.batch).toBe(true);
      expect(delivered[0]!.id).toBe(ids[i]!.id);
    }
    expect(() => t.sendBatch(Array.from({ length: 101 }, () => mail()))).toThrow(RangeError);
  });

  test("RESEND_BASE_URL is honored when no baseUrl is given", async () => {
    const previous = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = fake.url;
    try {
      const m = mail();
      await new ResendTransport({ apiKey: fake.apiKey }).send(m);
      expect(fake.deliveriesTo(m.to[0]!)).toHaveLength(1);
    } finally {
      if (previous === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = previous;
    }
  });
});

describe("rate limit", () => {
  test("the shared bucket keeps 30 concurrent sends under an enforced 20 req/s", async () => {
    const limited = new FakeResend({ rateLimit: { limit: 20 } });
    try {
      const t = new ResendTransport({ apiKey: limited.apiKey, baseUrl: limited.url, rateLimit: { perSecond: 20 } });
      await Promise.all(Array.from({ length: 30 }, () => t.send(mail())));
      expect(limited.deliveries).toHaveLength(30);
      expect(limited.rateLimitViolations).toBe(0);
    } finally {
      await limited.stop();
    }
  });

  test("the fake server counts a client that ignores the limit", async () => {
    const limited = new FakeResend({ rateLimit: { limit: 5 } });
    try {
      const t = new ResendTransport({
        apiKey: limited.apiKey,
        baseUrl: limited.url,
        rateLimit: { perSecond: 1000, burst: 1000 },
      });
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => t.send(mail())));
      expect(limited.rateLimitViolations).toBe(5);
      expect(results.filter((r) => r.status === "rejected" && r.reason instanceof MailRateLimitedError)).toHaveLength(
        5,
      );
    } finally {
      await limited.stop();
    }
  });
});
