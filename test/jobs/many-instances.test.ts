// Three processes on one PostgreSQL schema share 3,000 jobs: each job succeeds exactly once (nothing
// crashes, so nothing may run twice) and every process does some of the work.
import "../support/postgres.ts";
import { expect, test } from "bun:test";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob } from "../../src/jobs/index.ts";
import { postgresStore } from "../../src/stores/postgres/index.ts";
import { pgInstances } from "../support/pg-instances.ts";

const fixture = new URL("./fixtures/pg-instance.ts", import.meta.url).pathname;
const { admin, schema, start, children } = pgInstances("many");

async function scalar(query: string): Promise<number> {
  const [row] = await admin.unsafe<{ n: number }>(query);
  return row!.n;
}

test("three instances share 3,000 jobs: each succeeds exactly once, all three work", async () => {
  const store = postgresStore({ pool: admin, schema });
  await store.init();
  await admin.unsafe(`create table "${schema}".effects (job_id text not null, instance text not null)`);

  await start(fixture, ["one", "two", "three"]);

  // Enqueued from a fourth party: the instances learn of the jobs only through NOTIFY or polling.
  const work = defineJob({ name: "instances.work", payload: t.Object({ n: t.Integer() }), handler: () => {} });
  const producer = createJobs({ store, jobs: [work], logger: silentLogger });
  for (let batch = 0; batch < 30; batch++) {
    await producer.enqueueMany(
      work,
      Array.from({ length: 100 }, (_, i) => ({ payload: { n: batch * 100 + i } })),
    );
  }

  const deadline = Date.now() + 60_000;
  while ((await scalar(`select count(*)::int as n from "${schema}".jobs where state = 'succeeded'`)) < 3_000) {
    if (Date.now() > deadline) throw new Error("the instances did not finish 3,000 jobs within 60 s");
    await Bun.sleep(100);
  }

  expect(await scalar(`select count(*)::int as n from "${schema}".jobs`)).toBe(3_000);
  expect(await scalar(`select count(*)::int as n from "${schema}".jobs where attempts <> 1`)).toBe(0);
  expect(await scalar(`select count(*)::int as n from "${schema}".effects`)).toBe(3_000);
  expect(await scalar(`select count(distinct job_id)::int as n from "${schema}".effects`)).toBe(3_000);
  const perInstance = await admin.unsafe<{ instance: string; n: number }>(
    `select instance, count(*)::int as n from "${schema}".effects group by instance order by instance`,
  );
  expect(perInstance.map((row) => row.instance)).toEqual(["one", "three", "two"]);
  for (const row of perInstance) expect(row.n).toBeGreaterThan(0);

  for (const child of children) child.kill("SIGTERM");
  expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0]);
}, 90_000);
