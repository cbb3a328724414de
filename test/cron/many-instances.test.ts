// Three processes on one PostgreSQL schema run the same every-second cron for 5 seconds: each tick
// has exactly one job, which ran exactly once, whichever instance got there first.
import "../support/postgres.ts";
import { expect, test } from "bun:test";
import { postgresStore } from "../../src/stores/postgres/index.ts";
import { pgInstances } from "../support/pg-instances.ts";

const fixture = new URL("./fixtures/cron-instance.ts", import.meta.url).pathname;
const { admin, schema, start, children } = pgInstances("cron");

function secondsBetween(from: number, to: number): string[] {
  const ticks: string[] = [];
  for (let tick = Math.ceil(from / 1_000) * 1_000; tick <= to; tick += 1_000) ticks.push(new Date(tick).toISOString());
  return ticks;
}

test("three instances, a tick every second for 5 s: one job per tick, each ran exactly once", async () => {
  const store = postgresStore({ pool: admin, schema });
  await store.init();
  await admin.unsafe(
    `create table "${schema}".effects (tick text not null, job_id text not null, instance text not null)`,
  );

  await start(fixture, ["one", "two", "three"]);
  // Every instance is scheduling from here on: the next five ticks are owed by all three.
  const expected = secondsBetween(Date.now() + 1, Date.now() + 5_000);
  expect(expected).toHaveLength(5);

  const last = expected.at(-1)!;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await admin.unsafe<{ n: number }>(
      `select count(*)::int as n from "${schema}".effects where tick = $1`,
      [last],
    );
    if (row!.n > 0) break;
    if (Date.now() > deadline) throw new Error(`the tick ${last} never ran`);
    await Bun.sleep(100);
  }
  for (const child of children) child.kill("SIGTERM");
  expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0]);

  const jobs = await admin.unsafe<{ key: string; state: string; attempts: number; id: string }>(
    `select key, state, attempts, id::text as id from "${schema}".jobs where key = any($1) order by key`,
    [expected.map((tick) => `cron:beat:${tick}`)],
  );
  expect(jobs.map((job) => job.key)).toEqual(expected.map((tick) => `cron:beat:${tick}`));
  expect(jobs.every((job) => job.state === "succeeded" && job.attempts === 1)).toBe(true);

  const effects = await admin.unsafe<{ tick: string; job_id: string }>(
    `select tick, job_id from "${schema}".effects where tick = any($1) order by tick`,
    [expected],
  );
  expect(effects.map((effect) => effect.tick)).toEqual(expected);
  expect(effects.map((effect) => effect.job_id)).toEqual(jobs.map((job) => job.id));

  const [duplicates] = await admin.unsafe<{ n: number }>(
    `select count(*)::int as n from (select key from "${schema}".jobs group by key having count(*) > 1) d`,
  );
  expect(duplicates!.n).toBe(0);
}, 60_000);
