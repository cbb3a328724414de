// The packed tarball under plain Node (the machine's `node`, 20 or later), installed with npm. A first
// run packs and installs (tens of seconds, hence the timeouts); later runs reuse both.
import { expect, test } from "bun:test";
import { testDatabaseUrl } from "../support/postgres.ts";
import { coreSmokeLines, npmProject } from "./support/npm-project.ts";
import { run } from "./support/tarball.ts";

test("the core runs under Node: channel, Host with a BackgroundService, cron schedule, jobs on memoryStore", () => {
  const dir = npmProject("core", [], ["core-smoke.mjs"]);
  expect(run(["node", "core-smoke.mjs"], { cwd: dir }).trim().split("\n")).toEqual(coreSmokeLines);
}, 120_000);

test("jobs on postgresStore run under Node", () => {
  const dir = npmProject("postgres", ["pg", "drizzle-orm"], ["postgres-smoke.mjs"]);
  const schema = `errand_test_node_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const output = run(["node", "postgres-smoke.mjs", testDatabaseUrl, schema], { cwd: dir });
  expect(output.trim().split("\n")).toEqual(["jobs on postgresStore ran ada attempt 1", "job succeeded"]);
}, 120_000);
