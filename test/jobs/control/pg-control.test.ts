// Cancel and waitFor across processes on one PostgreSQL schema: this process enqueues, cancels and
// waits; the instance processes run the jobs. And a job cancelled while its process is SIGKILLed
// stays cancelled once another instance recovers expired leases.
import "../../support/postgres.ts";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { t } from "elysia";
import { silentLogger } from "../../../src/hosting/index.ts";
import { createJobs, defineJob, type Jobs } from "../../../src/jobs/index.ts";
import { postgresStore } from "../../../src/stores/postgres/index.ts";
import { dropSchema, testClient, testDatabaseUrl, testSchema } from "../../stores/postgres/pg-test-db.ts";
import { type Child, spawnChild } from "../../support/process.ts";

const fixture = new URL("../fixtures/pg-control-instance.ts", import.meta.url).pathname;
const admin = testClient(2);
const schema = testSchema("control");
const children: Child[] = [];

// The parent's definitions: same names and payloads as the instances', handlers never run here.
const block = defineJob({ name: "control.block", payload: t.Object({ n: t.Integer() }), handler: () => {} });
const compute = defineJob({
  name: "control.compute",
  payload: t.Object({ n: t.Integer() }),
  handler: (): { doubled: number; instance: string } => ({ doubled: 0, instance: "" }),
});
let jobs: Jobs<unknown>;

function spawnInstance(name: string, leaseMs?: number): Child {
  const child = spawnChild(["bun", fixture, testDatabaseUrl, schema, name, ...(leaseMs ? [String(leaseMs)] : [])]);
  children.push(child);
  return child;
}

async function effects(jobId: string): Promise<string[]> {
  const rows = await admin.unsafe<{ instance: string; what: string }>(
    `select instance, what from "${schema}".effects where job_id = $1 order by seq`,
    [jobId],
  );
  return rows.map((row) => `${row.instance}:${row.what}`);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

beforeAll(async () => {
  const store = postgresStore({ pool: admin, schema });
  await store.init();
  await admin.unsafe(
    `create table "${schema}".effects (seq serial primary key, job_id text not null, instance text not null, what text not null)`,
  );
  // A poll interval longer than any test: waitFor must learn of the other process's outcomes by NOTIFY.
  jobs = createJobs({ store, jobs: [block, compute], logger: silentLogger, pollIntervalMs: 60_000 }) as Jobs<unknown>;
  await spawnInstance("other").waitForLine((line) => line === "ready");
});

afterAll(async () => {
  for (const child of children) child.proc.kill("SIGKILL");
  await Promise.all(children.map((child) => child.exited));
  await dropSchema(admin, schema);
  await admin.end();
});

test("cancel aborts a job running on the other process within a second, with JobCancelledError", async () => {
  const id = await jobs.enqueue(block, { n: 1 });
  await until(async () => (await effects(id)).length === 1, "the other process to start the job");
  const cancelledAt = Date.now();
  expect(await jobs.cancel(id)).toBe(true);
  await until(async () => (await effects(id)).length === 2, "the abort on the other process", 2_000);
  expect(Date.now() - cancelledAt).toBeLessThan(1_000);
  expect(await effects(id)).toEqual(["other:started", "other:aborted:JobCancelledError"]);
  expect(await jobs.get(id)).toMatchObject({ state: "cancelled", attempts: 1, lockedBy: "other" });
}, 20_000);

test("waitFor returns the results of jobs the other process ran, woken by NOTIFY", async () => {
  const ids = await jobs.enqueueMany(
    compute,
    [1, 2, 3, 4, 5].map((n) => ({ payload: { n } })),
  );
  const done = await Promise.all(ids.map((id) => jobs.waitFor(id, { timeoutMs: 10_000 })));
  // Waited for while already finished (read at once), and a cancelled one (announced by cancel).
  expect((await jobs.waitFor(ids[0]!, { timeoutMs: 1_000 })).state).toBe("succeeded");
  const blocked = await jobs.enqueue(block, { n: 3 });
  const waiting = jobs.waitFor(blocked, { timeoutMs: 10_000 });
  await until(async () => (await effects(blocked)).length === 1, "the block job to start");
  await jobs.cancel(blocked);
  expect((await waiting).state).toBe("cancelled");
  expect(done.map((record) => record.state)).toEqual(Array(5).fill("succeeded"));
  expect(done.map((record) => record.result)).toEqual(
    [1, 2, 3, 4, 5].map((n) => ({ doubled: n * 2, instance: "other" })),
  );
}, 20_000);

test("a job cancelled while its process is SIGKILLed does not run again", async () => {
  const doomed = spawnInstance("doomed", 600);
  await doomed.waitForLine((line) => line === "ready");
  // Both instances claim this name: enqueue until one lands on the doomed instance (the others are
  // cancelled as soon as they start).
  let id = "";
  for (let tries = 0; tries < 50 && id === ""; tries++) {
    const candidate = await jobs.enqueue(block, { n: 2 });
    await until(async () => (await effects(candidate)).length === 1, "a start");
    if ((await effects(candidate))[0] === "doomed:started") id = candidate;
    else await jobs.cancel(candidate);
  }
  expect(id).not.toBe("");
  doomed.proc.kill("SIGKILL");
  await doomed.exited;
  expect(await jobs.cancel(id)).toBe(true);
  // Past the doomed lease (600 ms) and a few recovery polls of the surviving instance.
  await Bun.sleep(2_000);
  expect(await jobs.get(id)).toMatchObject({ state: "cancelled" });
  expect(await effects(id)).toEqual(["doomed:started"]);
}, 60_000);
