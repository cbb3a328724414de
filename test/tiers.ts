// Test tiers. A test file's tier is what it imports directly:
//   test/support/postgres.ts           needs PostgreSQL (ERRAND_TEST_DATABASE_URL)
//   test/support/chromium.ts           needs Chromium
//   test/package/support/tarball.ts    packs Errand and installs it from the npm registry into fresh
//                                      projects, run by Bun, Node, Deno and workerd (bun run setup:runtimes)
// `bun test` runs every file; `bun run test:unit` (this script with "unit") runs the files that import none
// of them. `bun test/tiers.ts` lists each file with its tier.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = join(import.meta.dir, "..");

export const markers = {
  postgres: join(root, "test/support/postgres.ts"),
  chromium: join(root, "test/support/chromium.ts"),
  package: join(root, "test/package/support/tarball.ts"),
} as const;

export type Tier = keyof typeof markers | "unit";

const transpiler = new Bun.Transpiler({ loader: "tsx" });

/** The tiers a test file is in, from its own imports (type-only imports need nothing at run time). */
export function tiersOf(file: string): Tier[] {
  const imports = transpiler.scanImports(readFileSync(file, "utf8"));
  const targets = new Set(imports.filter((i) => i.path.startsWith(".")).map((i) => resolve(dirname(file), i.path)));
  const tiers = (Object.keys(markers) as (keyof typeof markers)[]).filter((tier) => targets.has(markers[tier]));
  return tiers.length ? tiers : ["unit"];
}

export function testFiles(): string[] {
  return [...new Bun.Glob("test/**/*.test.{ts,tsx}").scanSync({ cwd: root })].sort().map((path) => join(root, path));
}

if (import.meta.main) {
  const files = testFiles();
  if (process.argv[2] !== "unit") {
    for (const file of files) console.log(`${tiersOf(file).join(",").padEnd(18)} ${relative(root, file)}`);
  } else {
    const unit = files.filter((file) => tiersOf(file).includes("unit")).map((file) => `./${relative(root, file)}`);
    const run = Bun.spawnSync(["bun", "test", ...unit, ...process.argv.slice(3)], {
      cwd: root,
      stdio: ["inherit", "inherit", "inherit"],
      // A file that reaches PostgreSQL without importing test/support/postgres.ts fails at once here
      // (connection refused) instead of passing only where a PostgreSQL happens to run.
      env: { ...process.env, ERRAND_TEST_DATABASE_URL: "postgres://postgres@127.0.0.1:9/not-in-the-unit-tier" },
    });
    process.exit(run.exitCode ?? 1);
  }
}
