// Cancel across processes sharing one SQLite file: the worker process learns of the cancel by polling
// (SQLite cannot push it), within a second; and a job cancelled while its process is SIGKILLed stays
// cancelled when another process recovers expired leases.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { t } from "elysia";
import { silentLogger } from "../../../src/hosting/index.ts";
import { createJobs, defineJob, type Jobs } from "../../../src/jobs/index.ts";
import { type SqliteJobStore, sqliteStore } from "../../../src/stores/sqlite/index.ts";
import { type Child, spawnChild } from "../../support/process.ts";

const fixture = new URL("../fixtures/sqlite-control-instance.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "errand-control-"));
const path = join(dir, "jobs.db");
const children: Child[] = [];
const block = defineJob({ name: "control.block", payload: t.Object({ n: t.Integer() }), handler: () => {} });
let store: SqliteJobStore;
let jobs: Jobs<unknown>;

function effects(jobId: string): string[] {
  return store.database
    .query<{ instance: string; what: string }, [string]>(
      "SELECT instance, what FROM effects WHERE job_id = ?1 ORDER BY rowid",
    )
    .all(jobId)
    .map((row) => `${row.instance}:${row.what}`);
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

async function spawnInstance(name: string, leaseMs: number): Promise<Child> {
  const child = spawnChild(["bun", fixture, path, name, String(leaseMs)]);
  children.push(child);
  await child.waitForLine((line) => line === "ready");
  return child;
}

beforeAll(() => {
  store = sqliteStore({ path });
  store.database.run("CREATE TABLE effects (job_id TEXT NOT NULL, instance TEXT NOT NULL, what TEXT NOT NULL)");
  jobs = createJobs({ store, jobs: [block], logger: silentLogger }) as Jobs<unknown>;
});

afterAll(async () => {
  for (const child of children) child.proc.kill("SIGKILL");
  await Promise.all(children.map((child) => child.exited));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("cancel aborts a job running in another process within a second, with JobCancelledError", async () => {
  const worker = await spawnInstance("worker", 30_000);
  const id = await jobs.enqueue(block, { n: 1 });
  await until(() => effects(id).length === 1, "the worker to start the job");
  const cancelledAt = Date.now();
  expect(await jobs.cancel(id)).toBe(true);
  await until(() => effects(id).length === 2, "the abort in the worker", 2_000);
  expect(Date.now() - cancelledAt).toBeLessThan(1_000);
  expect(effects(id)).toEqual(["worker:started", "worker:aborted:JobCancelledError"]);
  worker.proc.kill("SIGTERM");
  expect(await worker.exited).toBe(0);
}, 30_000);

test("a job cancelled while its process is SIGKILLed does not run again", async () => {
  const doomed = await spawnInstance("doomed", 600);
  const id = await jobs.enqueue(block, { n: 2 });
  await until(() => effects(id).length === 1, "the doomed process to start the job");
  doomed.proc.kill("SIGKILL");
  await doomed.exited;
  expect(await jobs.cancel(id)).toBe(true);
  // A survivor recovers expired leases every 200 ms; the doomed lease (600 ms) expires meanwhile.
  await spawnInstance("survivor", 30_000);
  await Bun.sleep(1_500);
  expect(await jobs.get(id)).toMatchObject({ state: "cancelled", lockedBy: "doomed" });
  expect(effects(id)).toEqual(["doomed:started"]);
}, 30_000);
