// The runtimes the package tests run Errand under besides Bun and the machine's Node: Deno and workerd,
// both from the npm registry (each package brings its platform's binary). They live outside the
// repository, in ERRAND_RUNTIMES_DIR (default ~/.cache/errand-runtimes), so a clean clone finds those a
// previous run installed. `bun run setup:runtimes` installs what is missing; .ci/run calls it.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const runtimes = {
  deno: { package: "deno", version: "2.9.6" },
  workerd: { package: "workerd", version: "1.20261117.1" },
} as const;

export type Runtime = keyof typeof runtimes;

export const runtimesDir = process.env.ERRAND_RUNTIMES_DIR ?? join(homedir(), ".cache", "errand-runtimes");

function installDir(name: Runtime): string {
  const { package: pkg, version } = runtimes[name];
  return join(runtimesDir, `${pkg}-${version}`);
}

function binary(name: Runtime): string {
  return join(installDir(name), "node_modules", ".bin", name);
}

/** The runtime's executable; throws how to install it when it is missing. */
export function runtimePath(name: Runtime): string {
  const path = binary(name);
  if (!existsSync(path)) throw new Error(`${name} is not installed at ${path}: run \`bun run setup:runtimes\``);
  return path;
}

export function install(name: Runtime): string {
  const path = binary(name);
  if (existsSync(path)) return path;
  const dir = installDir(name);
  const { package: pkg, version } = runtimes[name];
  // A half-finished install (an interrupted download) would leave a directory without the binary.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = Bun.spawnSync(
    [
      "npm",
      "install",
      "--prefix",
      dir,
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      `${pkg}@${version}`,
    ],
    { stdout: "inherit", stderr: "inherit" },
  );
  if (run.exitCode !== 0 || !existsSync(path)) throw new Error(`installing ${pkg}@${version} into ${dir} failed`);
  return path;
}

if (import.meta.main) {
  if (process.argv[2] !== "install") throw new Error("usage: bun scripts/runtimes.ts install");
  for (const name of Object.keys(runtimes) as Runtime[]) {
    const path = install(name);
    const version = Bun.spawnSync([path, "--version"]).stdout.toString().trim().split("\n")[0];
    console.log(`${name}: ${path} (${version})`);
  }
}
