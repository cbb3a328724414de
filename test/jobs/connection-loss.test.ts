// Three instances share 20,000 jobs while every connection to their database is killed 8 times, then
// while the database refuses connections for a while: every process stays up, each is not ready while
// the database is unreachable and ready again after, and every acknowledged job runs and succeeds.
// A job may run twice (at least once: an outcome lost with its connection is not known to be written).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob } from "../../src/jobs/index.ts";
import { postgresStore } from "../../src/stores/postgres/index.ts";
import { killDatabase } from "../support/kill-database.ts";
import "../support/postgres.ts";
import { testClient } from "../stores/postgres/pg-test-db.ts";

const fixture = new URL("./fixtures/pg-instance.ts", import.meta.url).pathname;
const database = killDatabase("instances");
const names = ["one", "two", "three"];
const children: Bun.Subprocess<"ignore", "pipe", "pipe">[] = [];

beforeAll(() => database.create());
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((child) => child.exited));
});

/** An instance process whose readiness is read from its status lines. */
function spawnInstance(name: string) {
  const child = Bun.spawn(["bun", fixture, database.url, "errand", name, "status"], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(child);
  const state = { started: false, ready: false, exitCode: null as number | null, stderr: "" };
  void child.exited.then((code) => (state.exitCode = code));
  void new Response(child.stderr).text().then((text) => (state.stderr = text));
  void (async () => {
    let buffered = "";
    for await (const chunk of child.stdout as unknown as AsyncIterable<Uint8Array>) {
      buffered += new TextDecoder().decode(chunk);
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === "ready") state.started = true;
        else if (line.startsWith("{")) state.ready = (JSON.parse(line) as { ready: boolean }).ready;
      }
    }
  })();
  return { name, child, state };
}

test("20,000 jobs on 3 instances, killed 8 times and unreachable for a while: all up, all jobs run", async () => {
  const total = 20_000;
  const setup = testClient(1, database.url);
  const store = postgresStore({ url: database.url, schema: "errand", max: 2 });
  await store.init();
  await setup.unsafe("create table errand.effects (job_id text not null, instance text not null)");
  await setup.end();

  const instances = names.map(spawnInstance);
  const alive = (): void => {
    for (const { name, state } of instances)
      if (state.exitCode !== null) throw new Error(`instance ${name} exited (${state.exitCode}):\n${state.stderr}`);
  };
  const until = async (what: string, check: () => boolean, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      alive();
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await Bun.sleep(20);
    }
  };
  await until("the instances to start", () => instances.every((i) => i.state.started), 20_000);

  // The producer is a fourth party on the same database: its connections are killed too, and a batch
  // that failed is sent again (the keys make that safe: no job is stored twice).
  const work = defineJob({ name: "instances.work", payload: t.Object({ n: t.Integer() }), handler: () => {} });
  const producer = createJobs({ store, jobs: [work], logger: silentLogger });
  let failedBatches = 0;
  const produced = (async () => {
    for (let from = 0; from < total; from += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => ({ payload: { n: from + i }, key: `job-${from + i}` }));
      for (;;) {
        try {
          await producer.enqueueMany(work, batch);
          break;
        } catch {
          failedBatches++;
          await Bun.sleep(50);
        }
      }
      await Bun.sleep(25);
    }
  })();

  let killed = 0;
  for (let i = 0; i < 8; i++) {
    await Bun.sleep(200 + Math.random() * 150);
    killed += await database.kill();
    alive();
  }
  await produced;
  expect(killed).toBeGreaterThan(8);

  await database.refuse();
  await until(
    "every instance not ready while the database refuses connections",
    () => instances.every((i) => !i.state.ready),
    10_000,
  );
  await Bun.sleep(500);
  await database.allow();
  await until("every instance ready again", () => instances.every((i) => i.state.ready), 15_000);

  const check = testClient(1, database.url);
  try {
    const count = async (query: string) => (await check.unsafe<{ n: number }>(query))[0]!.n;
    const deadline = Date.now() + 30_000;
    while ((await count("select count(*)::int as n from errand.jobs where state = 'succeeded'")) < total) {
      alive();
      if (Date.now() > deadline) throw new Error("the instances did not finish 20,000 jobs within 30 s");
      await Bun.sleep(200);
    }
    expect(await count("select count(*)::int as n from errand.jobs")).toBe(total);
    expect(await count("select count(distinct key)::int as n from errand.jobs")).toBe(total);
    expect(await count("select count(distinct job_id)::int as n from errand.effects")).toBe(total);
    const runs = await count("select count(*)::int as n from errand.effects");
    console.log(`killed ${killed} connections; ${failedBatches} batches sent again; ${runs - total} extra runs`);
  } finally {
    await check.end();
    await store.close();
  }

  alive();
  for (const { child } of instances) child.kill("SIGTERM");
  expect(await Promise.all(instances.map((i) => i.child.exited))).toEqual([0, 0, 0]);
}, 60_000);
