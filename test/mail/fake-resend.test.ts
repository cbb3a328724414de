import { describe, expect, test } from "bun:test";
import { FakeResend } from "../support/fake-resend.ts";

const body = JSON.stringify({ from: "a@errand.dev", to: ["b@example.com"], subject: "S", text: "t" });
const post = (fake: FakeResend, headers: Record<string, string>, path = "/emails", payload = body) =>
  fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: payload,
  });

describe("the fake Resend API", () => {
  test("answers like Resend: 401 without a key, 403 with a wrong one, 422 on a missing field", async () => {
    const fake = new FakeResend();
    try {
      const missing = await post(fake, {});
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ statusCode: 401, name: "missing_api_key" });
      expect((await post(fake, { authorization: "Bearer nope" })).status).toBe(403);
      const invalid = await post(
        fake,
        { authorization: `Bearer ${fake.apiKey}` },
        "/emails",
        JSON.stringify({ from: "a@errand.dev", subject: "S", text: "t" }),
      );
      expect(invalid.status).toBe(422);
      expect(await invalid.json()).toMatchObject({
        statusCode: 422,
        name: "missing_required_field",
        message: "Missing `to` field.",
      });
      expect(fake.deliveries).toHaveLength(0);
    } finally {
      await fake.stop();
    }
  });

  test("remembers idempotency keys for 24 hours, then forgets them", async () => {
    let now = 1_000_000;
    const fake = new FakeResend({ now: () => now });
    try {
      const auth = { authorization: `Bearer ${fake.apiKey}`, "idempotency-key": "k" };
      const first = (await (await post(fake, auth)).json()) as { id: string };
      now += 23 * 3_600_000;
      expect(((await (await post(fake, auth)).json()) as { id: string }).id).toBe(first.id);
      expect(fake.deliveries).toHaveLength(1);
      now += 2 * 3_600_000;
      expect(((await (await post(fake, auth)).json()) as { id: string }).id).not.toBe(first.id);
      expect(fake.deliveries).toHaveLength(2);
      const tooLong = await post(fake, { ...auth, "idempotency-key": "x".repeat(257) });
      expect(tooLong.status).toBe(400);
    } finally {
      await fake.stop();
    }
  });

  test("sends ratelimit-* headers when it enforces a limit, and retry-after on 429", async () => {
    const fake = new FakeResend({ rateLimit: { limit: 2 } });
    try {
      const auth = { authorization: `Bearer ${fake.apiKey}` };
      const ok = await post(fake, auth);
      expect(ok.headers.get("ratelimit-limit")).toBe("2");
      expect(ok.headers.get("ratelimit-remaining")).toBe("1");
      await post(fake, auth);
      const limited = await post(fake, auth);
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("1");
      expect(fake.rateLimitViolations).toBe(1);
    } finally {
      await fake.stop();
    }
  });
});
