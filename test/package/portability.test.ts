// The core runs on any runtime: from `errand` and `errand/testing`, every module reached at run time
// imports only other Errand modules and the packages below, never `bun:`, `node:`, React, Resend, a
// database driver or Elysia. (tsconfig.core.json checks the same files against Web-standard types only.)
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { entryPoints, root } from "../../scripts/entry-points.ts";

const portable = ["errand", "errand/testing"];
// @opentelemetry/api: jobs' spans (createJobs({ tracing })). It is Web-standard (no Node APIs; a no-op
// until an SDK registers), a peer dependency so the app and Errand share the one global API.
const allowed = [/^croner$/, /^@sinclair\/typebox(\/.*)?$/, /^@opentelemetry\/api$/];

const transpiler = new Bun.Transpiler({ loader: "tsx" });

/** Every package specifier imported at run time from `entry`, with the chain of files that reaches it. */
function packageImports(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...chain, relative(root, file)];
    for (const { path } of transpiler.scanImports(readFileSync(file, "utf8"))) {
      if (path.startsWith(".")) visit(resolve(dirname(file), path), here);
      else if (!found.has(path)) found.set(path, here);
    }
  };
  visit(resolve(root, entry), []);
  return found;
}

describe("the portable entry points import nothing runtime-specific", () => {
  for (const specifier of portable) {
    test(specifier, () => {
      const entry = entryPoints().find((e) => e.specifier === specifier);
      expect(entry, `${specifier} is not in package.json exports`).toBeDefined();
      const offending = [...packageImports(entry!.source)]
        .filter(([path]) => !allowed.some((pattern) => pattern.test(path)))
        .map(([path, chain]) => `${path} ← ${chain.toReversed().join(" ← ")}`);
      expect(offending).toEqual([]);
    });
  }

  test("the walk sees what the other entry points import", () => {
    // Guards the check itself: if scanning stopped following imports, the tests above would pass vacuously.
    const sqlite = entryPoints().find((e) => e.specifier === "errand/sqlite")!;
    expect([...packageImports(sqlite.source).keys()]).toContain("bun:sqlite");
    expect([...packageImports(entryPoints()[0]!.source).keys()]).toContain("croner");
  });
});
