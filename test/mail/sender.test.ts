import { afterEach, describe, expect, test } from "bun:test";
import {
  MailRateLimitedError,
  MailSender,
  MailTransientError,
  MemoryDeliveryLedger,
  memoryTransport,
  type OutgoingMail,
  ResendTransport,
} from "../../src/mail/index.ts";
import { FakeResend } from "../support/fake-resend.ts";

let fake: FakeResend | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const mail = (to: string): OutgoingMail => ({
  from: "Errand <no-reply@errand.dev>",
  to: [to],
  subject: "S",
  html: "<p>h</p>",
  text: "h",
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("MailSender", () => {
  test("without a ledger each mail is one request under its own key", async () => {
    const transport = memoryTransport();
    const sender = new MailSender(transport);
    await Promise.all([
      sender.deliver(mail("a@x.io"), { idempotencyKey: "a" }),
      sender.deliver(mail("b@x.io"), { idempotencyKey: "b" }),
    ]);
    expect(transport.sent.map((m) => m.idempotencyKey)).toEqual(["a", "b"]);
  });

  test("the same mail delivered twice at once (a job run twice) shares one delivery", async () => {
    fake = new FakeResend();
    const transport = new ResendTransport({ apiKey: fake.apiKey, baseUrl: fake.url, rateLimit: { perSecond: 2 } });
    const sender = new MailSender(transport, { ledger: new MemoryDeliveryLedger() });
    const [a, b] = await Promise.all([
      sender.deliver(mail("a@x.io"), { idempotencyKey: "k" }),
      sender.deliver(mail("a@x.io"), { idempotencyKey: "k" }),
    ]);
    expect(a).toEqual(b);
    expect(fake.deliveries).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  test("after an ambiguous timeout, a 429 on the repeat does not free the mail: it is never regrouped", async () => {
    fake = new FakeResend();
    const transport = new ResendTransport({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      rateLimit: { perSecond: 1000 },
      timeoutMs: 200,
    });
    const ledger = new MemoryDeliveryLedger();
    const sender = new MailSender(transport, { ledger });
    fake.inject({ kind: "hang" }, { kind: "429", retryAfterSeconds: 0 });
    expect(await failure(sender.deliver(mail("a@x.io"), { idempotencyKey: "a" }))).toBeInstanceOf(MailTransientError);
    expect(await failure(sender.deliver(mail("a@x.io"), { idempotencyKey: "a" }))).toBeInstanceOf(MailRateLimitedError);
    expect((await ledger.find("a"))?.state).toBe("pending");
    // Now with company: "a" must still go out in its own recorded request, not in a new batch.
    const [a] = await Promise.all([
      sender.deliver(mail("a@x.io"), { idempotencyKey: "a" }),
      sender.deliver(mail("b@x.io"), { idempotencyKey: "b" }),
      sender.deliver(mail("c@x.io"), { idempotencyKey: "c" }),
    ]);
    expect(fake.deliveriesTo("a@x.io")).toHaveLength(1);
    expect(a.id).toBe(fake.deliveriesTo("a@x.io")[0]!.id);
    expect(fake.deliveries).toHaveLength(3);
  });

  test("a 429 on a batch's first request frees its members to regroup", async () => {
    fake = new FakeResend();
    const transport = new ResendTransport({ apiKey: fake.apiKey, baseUrl: fake.url, rateLimit: { perSecond: 1000 } });
    const ledger = new MemoryDeliveryLedger();
    const sender = new MailSender(transport, { ledger, concurrency: 1 });
    fake.inject({ kind: "429", retryAfterSeconds: 0 });
    const first = await Promise.allSettled(
      ["a", "b", "c"].map((k) => sender.deliver(mail(`${k}@x.io`), { idempotencyKey: k })),
    );
    expect(first.every((r) => r.status === "rejected" && r.reason instanceof MailRateLimitedError)).toBe(true);
    expect(await ledger.find("b")).toBeNull();
    await Promise.all(["a", "b", "c"].map((k) => sender.deliver(mail(`${k}@x.io`), { idempotencyKey: k })));
    expect(fake.deliveries).toHaveLength(3);
  });
});
