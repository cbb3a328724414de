// Errand as a user gets it: the packed tarball (scripts/pack.ts) installed into fresh projects. Installs
// take seconds too, so each kind of project is cached beside its tarball: every test file of a run, and
// the next run with the same sources, reuse one install. A test file that imports this module is in
// the "package" tier (test/tiers.ts): it needs the npm registry, and Deno and workerd for some files.
import { join } from "node:path";
import { cacheDir, hashOf, once, run, tarball } from "../../../scripts/pack.ts";

export { run, tarball };

/**
 * The project `create` makes in a directory of its own, given the tarball's path; cached per tarball,
 * `name` and the text of `create`, so changing how a project is made makes a new one.
 */
export function project(name: string, create: (dir: string, tarballPath: string) => void): string {
  const { path, hash } = tarball();
  return once(join(cacheDir, hash, `${name}-${hashOf([create.toString()])}`), (dir) => create(dir, path));
}
