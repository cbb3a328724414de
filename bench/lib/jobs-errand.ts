import type { JobsBenchSystem } from "./jobs-system.ts";

/** Errand on SQLite and on PostgreSQL; filled in once src/jobs exists. */
export function errandSystems(_dir: string): JobsBenchSystem[] {
  return [];
}
