// Account pre-hijacking on SQLite (the same scenarios run on PostgreSQL in test/app/postgres.test.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually, postJson, startTestApp, type TestApp } from "../support/harness.ts";
import { victimOnlyFollowsLinks, victimRegistersAfterTheAttacker } from "../support/pre-hijacking.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_MAX: "1000", RESEND_CONFIRMATION_INTERVAL_MS: "0" });
});
afterAll(() => t.stop());

describe("account pre-hijacking", () => {
  test("the victim registers after the attacker: the attacker's password never logs in", async () => {
    await victimRegistersAfterTheAttacker(t, "victim@example.com");
  });

  test("the victim only follows links: nothing is confirmed without the registration's password", async () => {
    await victimOnlyFollowsLinks(t, "follower@example.com");
  });

  test("8 concurrent registrations of one new address: each is answered 201, one registration remains", async () => {
    const email = "burst@example.com";
    const statuses = await Promise.all(
      Array.from(
        { length: 8 },
        async (_, i) =>
          (await t.request("/api/users/register", postJson({ email, password: `password ${i} x`, displayName: "B" })))
            .status,
      ),
    );
    expect(statuses).toEqual(Array(8).fill(201));
    expect(await t.runtime.repository.findUserByEmail(email)).not.toBeNull();
  });

  test("registering an address over and over mails it no more than once per resend interval", async () => {
    const throttled = await startTestApp({ RATE_LIMIT_MAX: "1000", RESEND_CONFIRMATION_INTERVAL_MS: "1500" });
    try {
      const address = "bombed@example.com";
      for (let i = 0; i < 5; i++) {
        const response = await throttled.request(
          "/api/users/register",
          postJson({ email: address, password: `password number ${i}`, displayName: "B" }),
        );
        expect(response.status).toBe(201);
      }
      await eventually(() => throttled.transport.to(address)[0]);
      // The last registration's mail waits out the interval since the first one; the three between
      // find their registration replaced and send nothing.
      await eventually(async () => {
        const { jobs } = await throttled.runtime.jobs.list({ name: "app.confirmation-mail", state: "succeeded" });
        return jobs.length === 5 ? true : undefined;
      }, 10_000);
      expect(throttled.transport.to(address)).toHaveLength(2);
      const [first, second] = throttled.transport.to(address);
      expect(second!.text).not.toBe(first!.text);
    } finally {
      await throttled.stop();
    }
  });
});
