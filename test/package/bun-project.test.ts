// The packed tarball in a fresh `bun init` project, as a user gets it: today's TypeScript and tsconfig,
// Errand plus the peers its README asks for, one Elysia.
import { describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { entryPoints } from "../../scripts/entry-points.ts";
import { project, run } from "./support/tarball.ts";

/** Every copy of `name` installed in the project, by its package.json. */
function copiesOf(dir: string, name: string): string[] {
  return [...new Bun.Glob(`**/node_modules/${name}/package.json`).scanSync({ cwd: dir, dot: true })].filter(
    (path) => JSON.parse(readFileSync(join(dir, path), "utf8")).name === name,
  );
}

describe("a fresh bun init project with errand, elysia and drizzle-orm", () => {
  // What a user of errand/elysia and errand/sqlite adds (the README's install line).
  const dir = project("bun-init-elysia-sqlite", (dir, tarball) => {
    run(["bun", "init", "-y"], { cwd: dir });
    run(["bun", "add", tarball, "elysia", "drizzle-orm"], { cwd: dir });
  });

  test("has one copy of elysia and of @sinclair/typebox", () => {
    expect(copiesOf(dir, "elysia")).toEqual(["node_modules/elysia/package.json"]);
    expect(copiesOf(dir, "@sinclair/typebox")).toEqual(["node_modules/@sinclair/typebox/package.json"]);
  });

  test("type-checks and runs an app with hosting, jobs on sqliteStore, a channel worker and a cron", () => {
    copyFileSync(join(import.meta.dir, "fixtures/bun-app.ts"), join(dir, "app.ts"));
    run(["./node_modules/.bin/tsc", "--noEmit"], { cwd: dir });
    const output = run(["bun", "app.ts"], { cwd: dir });
    expect(output.trim().split("\n")).toEqual([
      "channel signed-up",
      "cron signal=live scope=hello from the scope",
      "job welcome ada@example.com",
      "logged heartbeat",
    ]);
  }, 30_000);
});

test("with every peer installed, each entry point type-checks and loads under Bun", () => {
  const dir = project("bun-init-all-peers", (dir, tarball) => {
    run(["bun", "init", "-y"], { cwd: dir });
    run(
      [
        "bun",
        "add",
        tarball,
        "elysia",
        "drizzle-orm",
        "pg",
        "@types/pg",
        "react",
        "react-dom",
        "@react-email/render",
        "resend",
        "prom-client",
      ],
      { cwd: dir },
    );
  });
  const specifiers = entryPoints().map((entry) => entry.specifier);
  writeFileSync(
    join(dir, "all.ts"),
    specifiers.map((specifier, i) => `import * as m${i} from "${specifier}";\n`).join("") +
      `for (const m of [${specifiers.map((_, i) => `m${i}`).join(", ")}]) console.log(Object.keys(m).length > 0);\n`,
  );
  run(["./node_modules/.bin/tsc", "--noEmit"], { cwd: dir });
  expect(run(["bun", "all.ts"], { cwd: dir }).trim().split("\n")).toEqual(specifiers.map(() => "true"));
}, 120_000);
