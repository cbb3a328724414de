// The admin API on PostgreSQL, where a job id is a bigint: ids and filters as test/app/admin runs them
// on SQLite, against real jobs.
import "../../support/postgres.ts";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminIdsAndFilters } from "../support/admin-ids.ts";
import { ADMIN_TOKEN, postJson, startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ ADMIN_TOKEN, RATE_LIMIT_MAX: "1000" }, { postgres: true });
}, 30_000);
afterAll(() => t?.stop());

test("invalid ids and filters are 422, ids past bigint are 404, hostile filters match nothing: never 500", async () => {
  const registered = await t.request(
    "/api/users/register",
    postJson({ email: "admin-pg@example.com", password: "long enough pw", displayName: "A" }),
  );
  expect(registered.status).toBe(201);
  await adminIdsAndFilters(t);
  expect(t.logs.filter((line) => line.includes('"unhandled error"'))).toEqual([]);
});
