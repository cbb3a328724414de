// What the admin API answers for ids and filters that are malformed, out of range or hostile: the same
// on every store, never a 500.
import { expect } from "bun:test";
import { ADMIN_TOKEN, type TestApp } from "./harness.ts";

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

export async function adminIdsAndFilters(t: TestApp): Promise<void> {
  const status = async (path: string, method = "GET") => (await t.request(path, { method, headers: auth })).status;
  expect(await status("/api/admin/jobs/abc")).toBe(422);
  expect(await status("/api/admin/jobs?state=exploded")).toBe(422);
  expect(await status("/api/admin/jobs?limit=100000")).toBe(422);
  expect(await status("/api/admin/jobs?cursor=1%20or%201%3D1")).toBe(422);
  expect(await status("/api/admin/jobs/1e3")).toBe(422);

  // Well-formed numbers past PostgreSQL's bigint name no job.
  for (const id of ["9223372036854775808", "9999999999999999999", "99999999999999999999"]) {
    expect(await status(`/api/admin/jobs/${id}`), id).toBe(404);
    expect(await status(`/api/admin/jobs/${id}/retry`, "POST"), id).toBe(404);
    expect(await status(`/api/admin/jobs/${id}/discard`, "POST"), id).toBe(404);
  }
  // Ids only: the registration's mail job may change state between the two requests.
  const ids = async (path: string) =>
    ((await (await t.request(path, { headers: auth })).json()) as { jobs: { id: string }[] }).jobs.map((j) => j.id);
  const all = await ids("/api/admin/jobs?limit=500");
  expect(all.length).toBeGreaterThan(0);
  expect(await ids("/api/admin/jobs?limit=500&cursor=9999999999999999999")).toEqual(all);

  // Filters reach the store as values, never as SQL.
  for (const name of ["' OR 1=1 --", "x'; DROP TABLE errand_jobs; --", '"; select pg_sleep(5); --', "%", "_"]) {
    const response = await t.request(`/api/admin/jobs?name=${encodeURIComponent(name)}`, { headers: auth });
    expect(response.status, name).toBe(200);
    expect(((await response.json()) as { jobs: unknown[] }).jobs, name).toEqual([]);
    const retried = await t.request(`/api/admin/queues/${encodeURIComponent(name)}/retry-dead`, {
      method: "POST",
      headers: auth,
    });
    expect(await retried.json(), name).toEqual({ retried: 0 });
  }
  expect((await t.request("/api/admin/queues", { headers: auth })).status).toBe(200);
}
