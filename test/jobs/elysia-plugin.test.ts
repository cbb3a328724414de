import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { hosting } from "../../src/elysia/hosting.ts";
import { jobs } from "../../src/elysia/jobs.ts";
import { type Host, silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob } from "../../src/jobs/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";
import { until } from "./helpers.ts";

let host: Host | undefined;
afterEach(async () => {
  if (host?.state === "started") await host.stop();
  host = undefined;
});

test("jobs(service) decorates ctx.jobs and runs jobs under the app's host", async () => {
  const sent: string[] = [];
  const welcome = defineJob({
    name: "welcome",
    payload: t.Object({ to: t.String() }),
    handler: ({ to }) => void sent.push(to),
  });
  const service = createJobs({
    store: sqliteStore({ database: new Database(":memory:") }),
    jobs: [welcome],
    logger: silentLogger,
  });
  const app = new Elysia()
    .use(hosting({ logger: silentLogger }))
    .use(jobs(service))
    .post("/welcome", async ({ jobs, body }) => ({ id: await jobs.enqueue(welcome, body) }), {
      body: t.Object({ to: t.String() }),
    });
  host = app.decorator.host;
  expect(host.services).toContain(service);
  await host.start();

  const response = await app.handle(
    new Request("http://localhost/welcome", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: "a@example.com" }),
    }),
  );
  const { id } = (await response.json()) as { id: string };
  await until(() => sent.length === 1, "the welcome job");
  expect(sent).toEqual(["a@example.com"]);
  // The outcome is written after the handler returns (batched with others), so wait for it too.
  await until(async () => (await service.get(id))?.state === "succeeded", "the job's success to be recorded");
  expect((await service.get(id))?.state).toBe("succeeded");
});

test("jobs(options) builds the service itself", async () => {
  const noop = defineJob({ name: "noop", payload: t.Null(), handler: () => {} });
  const app = new Elysia()
    .use(hosting({ logger: silentLogger }))
    .use(jobs({ store: sqliteStore({ database: new Database(":memory:") }), jobs: [noop], logger: silentLogger }));
  expect(app.decorator.host.services.map((s) => s.name)).toEqual(["jobs"]);
  expect(typeof app.decorator.jobs.enqueue).toBe("function");
});
