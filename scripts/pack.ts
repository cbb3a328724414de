// The tarball `bun pm pack` makes (its prepack builds dist/), as a user would get it from the registry.
// Packing takes seconds, so it is cached under the system temp dir by the hash of what goes into it:
// the package tests and `bun run check:package` of one run, and the next run with the same sources,
// share one tarball. `bun scripts/pack.ts` prints its path.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { packageJson, root } from "./entry-points.ts";

export const cacheDir = process.env.ERRAND_PACKAGE_CACHE ?? join(tmpdir(), "errand-package-cache");

/** What the tarball is made from: the library's sources and the files that configure the build. */
function packInputs(): string[] {
  const files = [
    "package.json",
    "bun.lock",
    "tsconfig.json",
    "tsconfig.build.json",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
  ];
  const sources = [...new Bun.Glob("src/**/*").scanSync({ cwd: root })].filter(
    (path) => !path.startsWith("src/app/") && path !== "src/main.ts",
  );
  return [...files, ...sources.sort()].filter((path) => existsSync(join(root, path)));
}

export function hashOf(parts: Iterable<string | Uint8Array>): string {
  const hasher = new Bun.CryptoHasher("sha256");
  for (const part of parts) hasher.update(part);
  return hasher.digest("hex").slice(0, 16);
}

export function run(command: string[], options: { cwd: string; env?: Record<string, string | undefined> }) {
  const result = Bun.spawnSync(command, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = `${result.stdout.toString()}${result.stderr.toString()}`;
  if (result.exitCode !== 0) {
    throw new Error(`\`${command.join(" ")}\` in ${options.cwd} exited ${result.exitCode}:\n${output}`);
  }
  return output;
}

/**
 * Makes `dir` once: `build` fills a scratch directory that is renamed into place only when it
 * succeeded, so a failed or interrupted build is never mistaken for a finished one.
 */
export function once(dir: string, build: (scratch: string) => void): string {
  if (existsSync(dir)) return dir;
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(scratch, { recursive: true });
  try {
    build(scratch);
    renameSync(scratch, dir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    if (existsSync(dir)) return dir; // another process finished the same build first
    throw error;
  }
  return dir;
}

let memo: { path: string; hash: string } | undefined;

/** The packed tarball of the current sources: its path and a hash of what it was made from. */
export function tarball(): { path: string; hash: string } {
  if (memo) return memo;
  const inputs = packInputs();
  const hash = hashOf(inputs.flatMap((path) => [path, readFileSync(join(root, path))]));
  const { name, version } = packageJson();
  const dir = once(join(cacheDir, hash), (scratch) => {
    // As a user's `npm publish` would: `bun pm pack` runs prepack (`bun run build:lib`) in the repository.
    run(["bun", "pm", "pack", "--quiet", "--destination", scratch], { cwd: root });
  });
  // Marks this tarball (and the projects beside it) as in use, then drops those no run used for a day.
  const now = new Date();
  utimesSync(dir, now, now);
  for (const other of readdirSync(cacheDir)) {
    const otherDir = join(cacheDir, other);
    const mtime = statSync(otherDir, { throwIfNoEntry: false })?.mtimeMs ?? now.getTime();
    if (now.getTime() - mtime > 24 * 3600_000) rmSync(otherDir, { recursive: true, force: true });
  }
  const path = join(dir, `${name}-${version}.tgz`);
  if (!existsSync(path)) throw new Error(`no ${relative(cacheDir, path)} after packing; found ${readdirSync(dir)}`);
  memo = { path, hash };
  return memo;
}

if (import.meta.main) console.log(tarball().path);
