// The two stores, as the process tests need them: a parent-side store, the worker's argv, and reads
// of the effects table the worker's handler writes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobStore } from "../../src/jobs/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";

export interface Backend {
  store: JobStore<unknown>;
  workerArgs: string[];
  effects(): Promise<{ total: number; distinct: number }>;
  cleanup(): Promise<void>;
}

export async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), "errand-jobs-"));
  const path = join(dir, "jobs.db");
  const store = sqliteStore({ path });
  store.database.run("CREATE TABLE effects (job_id TEXT NOT NULL)");
  const effects = store.database.prepare<{ total: number; distinct: number }, []>(
    'SELECT count(*) AS total, count(DISTINCT job_id) AS "distinct" FROM effects',
  );
  return {
    store: store as JobStore<unknown>,
    workerArgs: ["sqlite", path],
    effects: async () => effects.get()!,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresBackend(): Promise<Backend> {
  const { postgresStore } = await import("../../src/stores/postgres/index.ts");
  const { dropSchema, testClient, testDatabaseUrl, testSchema } = await import("../stores/postgres/pg-test-db.ts");
  const admin = testClient(2);
  const schema = testSchema("jobproc");
  const store = postgresStore({ pool: admin, schema });
  await store.init();
  await admin.unsafe(`create table "${schema}".effects (job_id text not null)`);
  return {
    store: store as JobStore<unknown>,
    workerArgs: ["postgres", testDatabaseUrl, schema],
    effects: async () => {
      const [row] = await admin.unsafe<{ total: number; distinct: number }>(
        `select count(*)::int as total, count(distinct job_id)::int as distinct from "${schema}".effects`,
      );
      return row!;
    },
    cleanup: async () => {
      await store.close();
      await dropSchema(admin, schema);
      await admin.end();
    },
  };
}

export const backends = [
  ["sqlite", sqliteBackend],
  ["postgres", postgresBackend],
] as const;

export async function countIn(store: JobStore<unknown>, state: string): Promise<number> {
  return (await store.counts()).filter((c) => c.state === state).reduce((sum, c) => sum + c.count, 0);
}
