// A plain npm project (no Bun in it) with the packed tarball installed, for Node, Deno and workerd.
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { project, run } from "./tarball.ts";

/** `npm install` of the tarball and `peers` into a fresh `type: module` project; fixtures copied in on each call. */
export function npmProject(name: string, peers: string[], fixtures: string[]): string {
  const dir = project(`npm-${name}`, (dir, tarball) => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `smoke-${name}`, private: true, type: "module" }));
    run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...peers], { cwd: dir });
  });
  for (const fixture of fixtures) copyFileSync(join(import.meta.dir, "../fixtures", fixture), join(dir, fixture));
  return dir;
}

export const coreSmokeLines = [
  "channel 1,2,3,4,5",
  "host stopped ticker ran and stopped",
  "cron next 2026-01-02T03:00:00.000Z",
  "jobs on memoryStore ran ada attempt 1",
];
