// The scheduler against the real jobs service on a real SQLite store, on the system clock: ticks
// become jobs that run their handler, keyed by tick, and list() reports their outcome.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCron, defineCron } from "../../src/cron/index.ts";
import { Host, silentLogger } from "../../src/hosting/index.ts";
import { createJobs, NonRetryableError } from "../../src/jobs/index.ts";
import { ServiceRegistry, token } from "../../src/scope/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";

const dirs: string[] = [];
const hosts: Host[] = [];

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempStore() {
  const dir = mkdtempSync(join(tmpdir(), "errand-cron-"));
  dirs.push(dir);
  return sqliteStore({ path: join(dir, "jobs.db") });
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(20);
  }
}

test("a plain-handler cron runs every second as a job that receives its tick", async () => {
  const ticks: Date[] = [];
  const everySecond = defineCron({
    name: "heartbeat",
    schedule: "* * * * * *",
    handler: ({ tick }) => void ticks.push(tick),
  });
  const store = tempStore();
  const jobs = createJobs({ store, jobs: [everySecond.job], logger: silentLogger, pollIntervalMs: 50 });
  const cron = createCron({ jobs, crons: [everySecond], logger: silentLogger });
  const host = new Host({ services: [jobs, cron], logger: silentLogger });
  hosts.push(host);
  await host.start();

  await waitFor(() => ticks.length >= 2);

  const page = await jobs.list({ name: "cron.heartbeat" });
  const keys = page.jobs.map((job) => job.key).reverse();
  expect(keys.slice(0, 2)).toEqual(ticks.slice(0, 2).map((tick) => `cron:heartbeat:${tick.toISOString()}`));
  expect(ticks[1]!.getTime() - ticks[0]!.getTime()).toBe(1_000);
  expect(ticks[0]!.getMilliseconds()).toBe(0);
}, 15_000);

test("trigger runs the handler now, and list() reports the last run's outcome", async () => {
  const failing = defineCron({
    name: "report",
    schedule: "0 3 * * *",
    attempts: 1,
    handler: () => {
      throw new NonRetryableError("mail server said no");
    },
  });
  const store = tempStore();
  const jobs = createJobs({ store, jobs: [failing.job], logger: silentLogger, pollIntervalMs: 50 });
  const cron = createCron({ jobs, crons: [failing], logger: silentLogger });
  const host = new Host({ services: [jobs, cron], logger: silentLogger });
  hosts.push(host);
  await host.start();

  const id = await cron.trigger("report");
  await waitFor(async () => (await jobs.store.get(id))?.state === "dead");

  const [status] = await cron.list();
  expect(status).toMatchObject({ name: "report", schedule: "0 3 * * *", enabled: true });
  expect(status!.lastRun).toMatchObject({ jobId: id, tick: null, state: "dead", lastError: "mail server said no" });
  expect(status!.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
}, 15_000);

test("a plain handler's context has the job context's logger, signal, scope, attempt and job, plus its tick", async () => {
  const Greeting = token<string>("test.greeting");
  const registry = new ServiceRegistry().scoped(Greeting, () => "hello from the scope");
  const seen: Record<string, unknown>[] = [];
  const inspect = defineCron({
    name: "inspect",
    schedule: "0 3 * * *",
    handler: (ctx) => {
      ctx.logger.info({ tick: ctx.tick }, "cron ran");
      seen.push({
        greeting: ctx.scope.get(Greeting),
        aborted: ctx.signal.aborted,
        attempt: ctx.attempt,
        job: ctx.job.name,
        tick: ctx.tick instanceof Date,
      });
    },
  });
  const jobs = createJobs({
    store: tempStore(),
    jobs: [inspect.job],
    registry,
    logger: silentLogger,
    pollIntervalMs: 50,
  });
  const cron = createCron({ jobs, crons: [inspect], logger: silentLogger });
  const host = new Host({ services: [jobs, cron], logger: silentLogger });
  hosts.push(host);
  await host.start();

  const id = await cron.trigger("inspect");
  await waitFor(async () => (await jobs.get(id))?.state !== "ready");
  await waitFor(async () => (await jobs.get(id))?.state !== "running");

  const job = await jobs.get(id);
  expect({ state: job?.state, error: job?.errors.at(-1)?.message }).toEqual({ state: "succeeded", error: undefined });
  expect(seen).toEqual([
    { greeting: "hello from the scope", aborted: false, attempt: 1, job: "cron.inspect", tick: true },
  ]);
}, 15_000);
