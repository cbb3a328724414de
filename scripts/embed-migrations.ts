// Embeds drizzle-kit's migrations in the job stores: each drizzle/<dialect> folder becomes a TS module
// (src/stores/<dialect>/migrations.generated.ts) that the store applies at run time, so the store
// reads nothing from disk and works from an installed package or a `bun build --compile` binary.
// drizzle-kit stays the source of truth: `bun run migrations:generate` runs it, then this script.
// test/stores/migrations.test.ts fails when a module is out of date with its folder.
//
//   bun scripts/embed-migrations.ts                     regenerate the stores' modules
//   bun scripts/embed-migrations.ts <folder> <module>   embed any drizzle-kit folder (an app's own)
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { EmbeddedMigration } from "../src/stores/common.ts";

const root = resolve(import.meta.dir, "..");

/** The stores' folders and modules, relative to the repository root. */
export const storeMigrations = [
  { folder: "drizzle/sqlite", module: "src/stores/sqlite/migrations.generated.ts" },
  { folder: "drizzle/postgres", module: "src/stores/postgres/migrations.generated.ts" },
] as const;

interface Journal {
  entries: { tag: string; when: number }[];
}

/** Reads a drizzle-kit folder the way drizzle's migrator does (same split, same sha256 hash). */
export function readDrizzleFolder(folder: string): EmbeddedMigration[] {
  const journalPath = join(folder, "meta/_journal.json");
  if (!existsSync(journalPath)) throw new Error(`${journalPath} not found: is ${folder} a drizzle-kit folder?`);
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
  return journal.entries.map(({ tag, when }) => {
    const text = readFileSync(join(folder, `${tag}.sql`), "utf8");
    return {
      tag,
      createdAt: when,
      hash: createHash("sha256").update(text).digest("hex"),
      statements: text.split("--> statement-breakpoint"),
    };
  });
}

/** The module's text; `typesFrom` is the import path of src/stores/common.ts as seen from the module. */
export function renderModule(migrations: readonly EmbeddedMigration[], source: string, typesFrom: string): string {
  const entries = migrations.map((m) =>
    [
      "  {",
      `    tag: ${JSON.stringify(m.tag)},`,
      `    createdAt: ${m.createdAt},`,
      `    hash: ${JSON.stringify(m.hash)},`,
      "    statements: [",
      ...m.statements.map((s) => `      ${JSON.stringify(s)},`),
      "    ],",
      "  },",
    ].join("\n"),
  );
  return [
    `// Generated from ${source} by scripts/embed-migrations.ts (bun run migrations:generate). Do not edit.`,
    `import type { EmbeddedMigration } from ${JSON.stringify(typesFrom)};`,
    "",
    "export const migrations: readonly EmbeddedMigration[] = [",
    ...entries,
    "];",
    "",
  ].join("\n");
}

/** The module text for `folder`, to be written at `module` (both relative to the repository root). */
export function moduleFor(folder: string, module: string): string {
  const common = relative(dirname(resolve(root, module)), resolve(root, "src/stores/common.ts"));
  const typesFrom = common.startsWith(".") ? common : `./${common}`;
  return renderModule(readDrizzleFolder(resolve(root, folder)), folder, typesFrom);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args.length !== 0 && args.length !== 2) {
    console.error("usage: bun scripts/embed-migrations.ts [<drizzle folder> <module.generated.ts>]");
    process.exit(2);
  }
  const targets = args.length === 2 ? [{ folder: args[0]!, module: args[1]! }] : storeMigrations;
  for (const { folder, module } of targets) {
    writeFileSync(resolve(root, module), moduleFor(folder, module));
    console.log(`${folder} -> ${module}`);
  }
}
