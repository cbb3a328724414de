import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia } from "elysia";
import { createCron, defineCron } from "../../src/cron/index.ts";
import { CronJobsMissingError, cron } from "../../src/elysia/cron.ts";
import { hosting, hostOf, jobs as jobsPlugin } from "../../src/elysia/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs } from "../../src/jobs/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const nightly = defineCron({ name: "nightly", schedule: "0 3 * * *", timezone: "Europe/Berlin", handler: () => {} });

test("registers the scheduler with the host and decorates ctx.cron for routes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "errand-cron-plugin-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const jobs = createJobs({
    store: sqliteStore({ path: join(dir, "jobs.db") }),
    jobs: [nightly.job],
    logger: silentLogger,
  });
  const app = new Elysia()
    .use(hosting({ logger: silentLogger }))
    .decorate("jobs", jobs)
    .use(cron([nightly], { logger: silentLogger }))
    .get("/crons", ({ cron }) => cron.list())
    .post("/crons/:name/run", async ({ cron, params }) => ({ jobId: await cron.trigger(params.name) }));
  const host = hostOf(app);
  host.add(jobs);
  expect(host.services.map((service) => service.name)).toEqual(["cron", "jobs"]);
  await host.start();
  cleanups.push(() => host.stop());

  const run = await app.handle(new Request("http://localhost/crons/nightly/run", { method: "POST" }));
  const { jobId } = (await run.json()) as { jobId: string };
  expect((await jobs.get(jobId))?.key).toStartWith("cron:nightly:manual:");

  const listed = (await (await app.handle(new Request("http://localhost/crons"))).json()) as {
    name: string;
    timezone: string;
    lastRun: { jobId: string };
  }[];
  expect(listed).toHaveLength(1);
  expect(listed[0]).toMatchObject({ name: "nightly", timezone: "Europe/Berlin", lastRun: { jobId } });
});

test("without a jobs service it says what to add", () => {
  expect(() => new Elysia().use(hosting({ logger: silentLogger })).use(cron([nightly]))).toThrow(CronJobsMissingError);
});

test("takes a service built with createCron, so other code can share it", () => {
  const jobs = createJobs({ store: sqliteStore({ path: ":memory:" }), jobs: [nightly.job], logger: silentLogger });
  cleanups.push(() => jobs.store.close());
  const service = createCron({ jobs, crons: [nightly], logger: silentLogger });
  const app = new Elysia()
    .use(hosting({ logger: silentLogger }))
    .use(jobsPlugin(jobs))
    .use(cron(service));
  expect(app.decorator.cron).toBe(service);
  expect(hostOf(app).services).toEqual([jobs, service]);
});
