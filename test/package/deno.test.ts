// The core smoke from the packed tarball under Deno, on the npm project's node_modules.
import { expect, test } from "bun:test";
import { runtimePath } from "../../scripts/runtimes.ts";
import { testDatabaseUrl } from "../support/postgres.ts";
import { coreSmokeLines, npmProject } from "./support/npm-project.ts";
import { run } from "./support/tarball.ts";

test("the core runs under Deno", () => {
  const deno = runtimePath("deno");
  const dir = npmProject("core", [], ["core-smoke.mjs"]);
  // Deno's own cache stays inside the project, never in the user's home.
  const output = run([deno, "run", "--node-modules-dir=manual", "--allow-read", "core-smoke.mjs"], {
    cwd: dir,
    env: { DENO_DIR: `${dir}/.deno`, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  expect(output.trim().split("\n")).toEqual(coreSmokeLines);
}, 120_000);

test("jobs on postgresStore run under Deno", () => {
  const deno = runtimePath("deno");
  const dir = npmProject("postgres", ["pg", "drizzle-orm"], ["postgres-smoke.mjs"]);
  const schema = `errand_test_deno_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const output = run([deno, "run", "--node-modules-dir=manual", "-A", "postgres-smoke.mjs", testDatabaseUrl, schema], {
    cwd: dir,
    env: { DENO_DIR: `${dir}/.deno`, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  expect(output.trim().split("\n")).toEqual(["jobs on postgresStore ran ada attempt 1", "job succeeded"]);
}, 120_000);
