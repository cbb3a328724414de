import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Where a migrations folder (e.g. "drizzle/app-sqlite") is: next to the sources when run with bun,
 * next to the executable when compiled (`bun build --compile` ships drizzle/ beside the binary), or
 * in the working directory.
 */
export function migrationsDir(relative: string): string {
  const candidates = [
    join(import.meta.dir, "../../..", relative),
    join(dirname(process.execPath), relative),
    join(process.cwd(), relative),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, "meta/_journal.json")));
  if (!found) throw new Error(`Migrations folder "${relative}" not found; looked in: ${candidates.join(", ")}`);
  return found;
}
