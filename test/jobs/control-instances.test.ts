// Three processes on one PostgreSQL schema under issue 12's controls: a pause stops all of them and a
// resume restarts them; a rate limit holds across them; per-key concurrency keeps each tenant at its
// limit while the others proceed; a pause outlives a restart of every instance.
import "../support/postgres.ts";
import { expect, test } from "bun:test";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs } from "../../src/jobs/index.ts";
import { postgresStore } from "../../src/stores/postgres/index.ts";
import { pgInstances } from "../support/pg-instances.ts";
import { controlJobs } from "./fixtures/control-jobs.ts";

const fixture = new URL("./fixtures/pg-claim-instance.ts", import.meta.url).pathname;
const { admin, schema, start, children } = pgInstances("control");
const [work, rated, tenant] = controlJobs(async () => {});

interface Run {
  job_id: string;
  name: string;
  tenant: string;
  instance: string;
  started_at: string;
  ended_at: string;
}

async function runs(name: string): Promise<Run[]> {
  return admin.unsafe<Run>(`select * from "${schema}".runs where name = $1 order by started_at`, [name]);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

async function succeeded(name: string): Promise<number> {
  const [row] = await admin.unsafe<{ n: number }>(
    `select count(*)::int as n from "${schema}".jobs where name = $1 and state = 'succeeded'`,
    [name],
  );
  return row!.n;
}

/** The most times in any span of `spanMs` (sorted input). */
function mostInSpan(times: readonly number[], spanMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= spanMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** The most runs overlapping at once, from [started, ended] intervals. */
function mostAtOnce(list: readonly Run[]): number {
  const edges = list.flatMap((r) => [
    [Number(r.started_at), 1],
    [Number(r.ended_at), -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step!));
  return most;
}

const store = postgresStore({ pool: admin, schema });
const producer = createJobs({ store, jobs: [work, rated, tenant], logger: silentLogger });

test("controls across three instances", async () => {
  await store.init();
  await admin.unsafe(
    `create table "${schema}".runs (job_id text, name text, tenant text, instance text, started_at bigint, ended_at bigint)`,
  );
  await admin.unsafe(`
    create table "${schema}".start_log (name text, rate_key text, started_at bigint);
    create function "${schema}".log_start() returns trigger language plpgsql as $$
      begin insert into "${schema}".start_log values (new.name, new.rate_key, new.started_at); return new; end $$;
    create trigger log_start after insert on "${schema}".job_starts for each row execute function "${schema}".log_start();`);
  await start(fixture, ["one", "two", "three"]);

  // Pause stops every instance within a second; running jobs finish; enqueue still works; resume restarts.
  await producer.enqueueMany(
    work,
    Array.from({ length: 600 }, (_, i) => ({ payload: { tenant: String(i) } })),
  );
  await until(async () => (await runs(work.name)).length >= 30, "some work to run");
  await producer.pause({ name: work.name });
  const pausedAt = Date.now();
  await producer.enqueue(work, { tenant: "after pause" });
  await Bun.sleep(1_500);
  const afterPause = (await runs(work.name)).filter((r) => Number(r.started_at) > pausedAt + 1_000);
  expect(afterPause).toEqual([]);
  const [running] = await admin.unsafe<{ n: number }>(
    `select count(*)::int as n from "${schema}".jobs where name = $1 and state = 'running'`,
    [work.name],
  );
  expect(running!.n).toBe(0);
  expect(await succeeded(work.name)).toBeLessThan(601);
  await producer.resume({ name: work.name });
  await until(async () => (await succeeded(work.name)) === 601, "every work job after the resume");
  const workRuns = await runs(work.name);
  expect(workRuns).toHaveLength(601);
  expect(new Set(workRuns.map((r) => r.job_id)).size).toBe(601);
  expect(new Set(workRuns.map((r) => r.instance)).size).toBeGreaterThan(1);

  // 40 jobs at { max: 10, perMs: 1000 }: never more than 10 claims in any second across the instances.
  const ratedFrom = Date.now();
  await producer.enqueueMany(
    rated,
    Array.from({ length: 40 }, (_, i) => ({ payload: { tenant: String(i) } })),
  );
  await until(async () => (await succeeded(rated.name)) === 40, "the 40 rate-limited jobs");
  expect(await runs(rated.name)).toHaveLength(40);
  // The starts as the store counted them (each claim records them at the time it holds the lock),
  // copied by a trigger before later claims delete them. The handlers begin right after, unless the
  // OS keeps a process off the CPU: on a loaded machine a handler's own clock may lag its start.
  const starts = (await admin.unsafe<{ at: string }>(`select started_at as at from "${schema}".start_log`))
    .map((r) => Number(r.at))
    .sort((a, b) => a - b);
  expect(starts).toHaveLength(40);
  expect(mostInSpan(starts, 1_000)).toBe(10);
  // Four windows' worth: the last batch cannot start before three windows passed.
  expect(starts[39]! - ratedFrom).toBeGreaterThanOrEqual(3_000);
  const [attempts] = await admin.unsafe<{ n: number }>(
    `select count(*)::int as n from "${schema}".jobs where name = $1 and attempts <> 1`,
    [rated.name],
  );
  expect(attempts!.n).toBe(0);

  // Per-key concurrency { limit: 2 }: the big tenant runs two at a time, the small ones are not held up.
  await producer.enqueueMany(tenant, [
    ...Array.from({ length: 16 }, () => ({ payload: { tenant: "big" } })),
    ...["s1", "s2", "s3"].map((t) => ({ payload: { tenant: t } })),
  ]);
  await until(async () => (await succeeded(tenant.name)) === 19, "the tenants' jobs");
  const tenantRuns = await runs(tenant.name);
  const big = tenantRuns.filter((r) => r.tenant === "big");
  expect(mostAtOnce(big)).toBe(2);
  for (const small of ["s1", "s2", "s3"]) {
    const run = tenantRuns.find((r) => r.tenant === small)!;
    // Eight rounds of 100 ms for the big tenant; a small one starts in the first rounds.
    expect(Number(run.started_at)).toBeLessThan(Number(big[6]!.started_at));
  }

  // A pause outlives a restart of every instance.
  await producer.pause({ queue: "default" });
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((child) => child.exited));
  await producer.enqueue(work, { tenant: "after restart" });
  await start(fixture, ["four", "five"]);
  await Bun.sleep(1_500);
  expect((await runs(work.name)).filter((r) => r.tenant === "after restart")).toEqual([]);
  expect(await producer.paused()).toMatchObject([{ queue: "default" }]);
  await producer.resume({ queue: "default" });
  await until(
    async () => (await runs(work.name)).some((r) => r.tenant === "after restart"),
    "the job after the resume",
  );
}, 120_000);
