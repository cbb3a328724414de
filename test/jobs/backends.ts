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
  /**
   * Per worker holding them (locked_by), the running jobs whose current attempt already recorded its
   * effect: after a kill, the jobs that worker had done without their outcome written, which run
   * again. (A job it had claimed again after an earlier kill but not run yet has only an older
   * attempt's effect, and is not counted.)
   */
  doneButRunning(): Promise<Record<string, number>>;
  cleanup(): Promise<void>;
}

export async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), "errand-jobs-"));
  const path = join(dir, "jobs.db");
  const store = sqliteStore({ path });
  store.database.run("CREATE TABLE effects (job_id TEXT NOT NULL, attempt INTEGER)");
  const effects = store.database.prepare<{ total: number; distinct: number }, []>(
    'SELECT count(*) AS total, count(DISTINCT job_id) AS "distinct" FROM effects',
  );
  const doneButRunning = store.database.prepare<{ worker: string; n: number }, []>(
    `SELECT j.locked_by AS worker, count(DISTINCT e.job_id) AS n FROM effects e
       JOIN errand_jobs j ON j.id = CAST(e.job_id AS INTEGER) AND e.attempt = j.attempts
       WHERE j.state = 'running' GROUP BY j.locked_by`,
  );
  return {
    store: store as JobStore<unknown>,
    workerArgs: ["sqlite", path],
    effects: async () => effects.get()!,
    doneButRunning: async () => Object.fromEntries(doneButRunning.all().map((r) => [r.worker, r.n])),
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
  await admin.unsafe(`create table "${schema}".effects (job_id text not null, attempt int)`);
  return {
    store: store as JobStore<unknown>,
    workerArgs: ["postgres", testDatabaseUrl, schema],
    effects: async () => {
      const [row] = await admin.unsafe<{ total: number; distinct: number }>(
        `select count(*)::int as total, count(distinct job_id)::int as distinct from "${schema}".effects`,
      );
      return row!;
    },
    doneButRunning: async () => {
      const rows = await admin.unsafe<{ worker: string; n: number }>(
        `select j.locked_by as worker, count(distinct e.job_id)::int as n from "${schema}".effects e
           join "${schema}".jobs j on j.id = e.job_id::bigint and e.attempt = j.attempts
           where j.state = 'running' group by j.locked_by`,
      );
      return Object.fromEntries(rows.map((r) => [r.worker, r.n]));
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
