// The stores apply migrations embedded in migrations.generated.ts; drizzle-kit's folders are the source.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { moduleFor, readDrizzleFolder, storeMigrations } from "../../scripts/embed-migrations.ts";

const root = join(import.meta.dir, "../..");

describe("embedded migrations", () => {
  for (const { folder, module } of storeMigrations) {
    test(`${module} is up to date with ${folder} (else: bun run migrations:generate)`, () => {
      const generated = readFileSync(join(root, module), "utf8");
      const upToDate = generated === moduleFor(folder, module);
      expect(upToDate ? "up to date" : `out of date with ${folder}: run bun run migrations:generate`).toBe(
        "up to date",
      );
    });

    test(`${folder}: the same hashes, times and statements as drizzle's migrator reads`, () => {
      const ours = readDrizzleFolder(join(root, folder));
      const drizzles = readMigrationFiles({ migrationsFolder: join(root, folder) });
      expect(ours.map((m) => ({ hash: m.hash, createdAt: m.createdAt, statements: m.statements }))).toEqual(
        drizzles.map((m) => ({ hash: m.hash, createdAt: m.folderMillis, statements: m.sql })),
      );
    });
  }
});
