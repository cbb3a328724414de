import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { StartupError } from "../startup-error.ts";

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
  if (found) return found;
  throw new StartupError(
    `The migrations folder "${relative}" is missing. A compiled binary reads its migrations from the ` +
      `drizzle/ folder beside it: copy the repository's drizzle/ next to the binary (the Dockerfile does), ` +
      `or start the app from a directory that has it. Looked in: ${candidates.join(", ")}`,
  );
}
