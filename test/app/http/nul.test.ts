// U+0000 in any input: PostgreSQL text cannot hold it, so it must be refused (API 422, dashboard 400)
// before it reaches a store, on both app variants.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, postJson, startTestApp, type TestApp } from "../support/harness.ts";

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const form = (fields: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { ...admin, "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

for (const variant of ["sqlite", "postgres"] as const) {
  describe(`NUL characters [${variant}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ADMIN_TOKEN }, { postgres: variant === "postgres" });
    });
    afterAll(async () => {
      await t.stop();
    });

    async function expect422(response: Response, field: string, where: string): Promise<void> {
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        error: "validation_failed",
        fields: [{ field, in: where, message: expect.stringContaining("NUL") }],
      });
    }

    test("a login with a NUL in the email is a 422 naming it", async () => {
      const response = await t.request("/api/auth/token", postJson({ email: "x\u0000", password: "password-1" }));
      await expect422(response, "email", "body");
    });

    test("a registration with a NUL is a 422 naming the field", async () => {
      const response = await t.request(
        "/api/users/register",
        postJson({ email: "a@example.com", password: "long enough\u0000password", displayName: "A" }),
      );
      await expect422(response, "password", "body");
    });

    test("admin routes refuse a NUL in the query or a path parameter", async () => {
      await expect422(await t.request("/api/admin/jobs?name=%00", { headers: admin }), "name", "query");
      await expect422(
        await t.request("/api/admin/queues/a%00/retry-dead", { method: "POST", headers: admin }),
        "name",
        "params",
      );
    });

    test("without the admin token the answer stays 401", async () => {
      expect((await t.request("/api/admin/jobs?name=%00")).status).toBe(401);
    });

    test("dashboard pages and actions answer a 400 page", async () => {
      const requests: [string, RequestInit][] = [
        ["/admin/jobs?q=a%00b", { headers: admin }],
        ["/admin/jobs?name=a%00", { headers: admin }],
        ["/admin/jobs?queue=a%00", { headers: admin }],
        ["/admin/queues/pause", form({ queue: "a\u0000" })],
        ["/admin/queues/pause", form({ name: "a\u0000" })],
        ["/admin/queues/resume", form({ name: "a\u0000" })],
        ["/admin/jobs/bulk/retry", form({ state: "dead", name: "a\u0000" })],
      ];
      for (const [path, init] of requests) {
        const response = await t.request(path, init);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        expect(response.headers.get("content-type")).toContain("text/html");
        expect(await response.text()).toContain("NUL character");
      }
    });

    test("the jobs service itself: a NUL filter matches nothing", async () => {
      expect(await t.runtime.jobs.list({ name: "a\u0000" })).toEqual({ jobs: [], nextCursor: null });
      expect(await t.runtime.jobs.list({ key: "a\u0000" })).toEqual({ jobs: [], nextCursor: null });
    });
  });
}
