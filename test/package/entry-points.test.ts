import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { entryPoints, expectedPaths, root } from "../../scripts/entry-points.ts";

test("tsconfig.json paths map each package.json export to its source (bun run entry-points)", () => {
  const tsconfig = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8"));
  expect(tsconfig.compilerOptions.paths).toEqual(expectedPaths());
});

test("every export is built from a source file and declares its types beside its module", () => {
  for (const entry of entryPoints()) {
    expect(existsSync(join(root, entry.source)), entry.source).toBe(true);
    expect(entry.types).toBe(entry.module.replace(/\.js$/, ".d.ts"));
  }
});
