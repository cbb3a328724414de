// The package's entry points, read from package.json `exports` (the one place to add one). tsconfig.json
// `paths` maps the same specifiers to their sources so the app and tests import "errand/..." by name;
// `bun run entry-points` rewrites those paths from `exports`, and test/package/entry-points.test.ts fails
// when the two disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface EntryPoint {
  /** What a user imports: "errand", "errand/sqlite", … */
  specifier: string;
  /** The module under src/ it is built from, relative to the repository root: "./src/stores/sqlite/index.ts". */
  source: string;
  /** The built module under dist/: "./dist/stores/sqlite/index.js". */
  module: string;
  /** Its declarations: "./dist/stores/sqlite/index.d.ts". */
  types: string;
}

export const root = join(import.meta.dir, "..");

interface PackageJson {
  name: string;
  version: string;
  exports: Record<string, { types: string; import: string }>;
}

export function packageJson(): PackageJson {
  return JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
}

export function entryPoints(): EntryPoint[] {
  const pkg = packageJson();
  return Object.entries(pkg.exports).map(([subpath, target]) => {
    if (!target.import.startsWith("./dist/") || !target.import.endsWith(".js")) {
      throw new Error(`package.json exports["${subpath}"].import must be a .js file under ./dist/: ${target.import}`);
    }
    return {
      specifier: subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
      source: target.import.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts"),
      module: target.import,
      types: target.types,
    };
  });
}

/** tsconfig.json `paths` as `exports` implies them. */
export function expectedPaths(): Record<string, string[]> {
  return Object.fromEntries(entryPoints().map((entry) => [entry.specifier, [entry.source]]));
}

const pathsBlock = /"paths": \{[^}]*\}/;

if (import.meta.main) {
  const file = join(root, "tsconfig.json");
  const text = readFileSync(file, "utf8");
  if (!pathsBlock.test(text)) throw new Error(`no "paths": { … } block in ${file}`);
  const lines = Object.entries(expectedPaths()).map(
    ([name, targets]) => `      ${JSON.stringify(name)}: ${JSON.stringify(targets)}`,
  );
  const next = text.replace(pathsBlock, `"paths": {\n${lines.join(",\n")}\n    }`);
  if (process.argv.includes("--write")) {
    writeFileSync(file, next);
    console.log(
      next === text ? "tsconfig.json paths already match package.json exports" : "tsconfig.json paths updated",
    );
  } else {
    console.log(JSON.stringify(entryPoints(), null, 2));
  }
}
