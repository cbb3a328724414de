// `bun run check:package`: the packed tarball through publint (package.json against the files it ships)
// and Are the Types Wrong (each entry point's types as TypeScript resolves them). Errand is ESM-only, so
// attw's esm-only profile skips the resolutions that cannot load it: node10 (no `exports` support) and
// require() from CommonJS.
import { statSync } from "node:fs";
import { root } from "./entry-points.ts";
import { tarball } from "./pack.ts";

const { path } = tarball();
const size = statSync(path).size;
console.log(`${path}: ${(size / 1024).toFixed(0)} KiB`);
if (size > 3 * 1024 * 1024) throw new Error("the tarball is over 3 MB: check package.json `files`");
for (const command of [
  ["bunx", "publint", "run", "--strict", path],
  ["bunx", "attw", path, "--profile", "esm-only"],
]) {
  const result = Bun.spawnSync(command, { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (result.exitCode !== 0) process.exit(result.exitCode ?? 1);
}
