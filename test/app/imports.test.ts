// The reference app is Errand's first user: it reaches the library only through the entry points a
// user installs (errand, errand/sqlite, errand/postgres, errand/mail, errand/elysia, errand/testing),
// and the library never reaches into the app.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { Glob } from "bun";

const root = resolve(import.meta.dir, "../..");
const src = resolve(root, "src");

interface Import {
  file: string;
  specifier: string;
  target: string;
}

// `import … from`, `export … from`, `import "…"` and `import("…")`, type-only imports included (a
// transpiler's import scan drops those, but they tie the app to the library's files all the same).
const IMPORT = /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*(?:\(\s*)?["']([^"']+)["']/g;

/** Every relative import of the files matching `pattern` (from the repository root), resolved. */
function relativeImports(pattern: string): Import[] {
  const found: Import[] = [];
  for (const file of new Glob(pattern).scanSync({ cwd: root })) {
    for (const match of readFileSync(resolve(root, file), "utf8").matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith(".")) found.push({ file, specifier, target: resolve(root, dirname(file), specifier) });
    }
  }
  return found;
}

const inside = (dir: string, path: string) => !relative(dir, path).startsWith("..");
const show = (i: Import) => `${i.file}: "${i.specifier}"`;

/** Where the app may go by relative path: its own folder, main.ts, the templates in emails/. */
function appOwn(target: string): boolean {
  return !inside(src, target) || inside(resolve(src, "app"), target) || target === resolve(src, "main.ts");
}

describe("import boundaries", () => {
  test("src/app, src/main.ts and emails/ import Errand only through its entry points", () => {
    const imports = [
      ...relativeImports("src/app/**/*.{ts,tsx}"),
      ...relativeImports("src/main.ts"),
      ...relativeImports("emails/**/*.{ts,tsx}"),
    ];
    expect(imports.length).toBeGreaterThan(50);
    expect(imports.filter((i) => !appOwn(i.target)).map(show)).toEqual([]);
  });

  test("the library imports nothing from the app (src/app, src/main.ts, emails/)", () => {
    const library = relativeImports("src/**/*.{ts,tsx}").filter(
      (i) => !i.file.startsWith("src/app/") && i.file !== "src/main.ts",
    );
    expect(library.length).toBeGreaterThan(100);
    const intoApp = (target: string) =>
      inside(resolve(src, "app"), target) ||
      target === resolve(src, "main.ts") ||
      inside(resolve(root, "emails"), target);
    expect(library.filter((i) => intoApp(i.target)).map(show)).toEqual([]);
  });

  test("errand/mail loads no bun: module, no Bun global and no database driver", () => {
    const reached = moduleGraph("src/mail/index.ts");
    expect(reached.files.length).toBeGreaterThan(10);
    const runtimeBound = [...reached.packages].filter((name) => name.startsWith("bun:") || name.startsWith("node:"));
    expect(runtimeBound).toEqual([]);
    expect([...reached.packages].filter((name) => ["postgres", "drizzle-orm"].includes(name))).toEqual([]);
    const usingBun = reached.files.filter((file) => /\bBun\./.test(readFileSync(resolve(root, file), "utf8")));
    expect(usingBun).toEqual([]);
  });

  test("src/mail has no import cycle: the job and the outbox are built from the mailer, not by it", () => {
    const files = [...new Glob("src/mail/**/*.ts").scanSync({ cwd: root })];
    expect(files.length).toBeGreaterThan(20);
    expect(findCycle(files)).toBeNull();
  });
});

/** The first import cycle among `files` (relative imports, type-only ones included), or null. */
function findCycle(files: string[]): string[] | null {
  const edges = new Map(
    files.map((file) => [file, relativeImports(file).map((i) => relative(root, i.target))] as const),
  );
  const done = new Set<string>();
  const walk = (file: string, path: string[]): string[] | null => {
    if (path.includes(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file)) return null;
    for (const next of edges.get(file) ?? []) {
      const cycle = walk(next, [...path, file]);
      if (cycle) return cycle;
    }
    done.add(file);
    return null;
  };
  for (const file of files) {
    const cycle = walk(file, []);
    if (cycle) return cycle;
  }
  return null;
}

/** The files reachable from `entry` by relative imports, and the packages they import. */
function moduleGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(resolve(root, file), "utf8").matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith(".")) visit(relative(root, resolve(root, dirname(file), specifier)));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files: [...files], packages };
}
