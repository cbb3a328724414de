import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe } from "bun:test";
import { silentLogger } from "../../src/hosting/index.ts";
import { type AnyJobDefinition, createJobs, type JobStore, type Jobs, type JobsOptions } from "../../src/jobs/index.ts";
import { memoryStore } from "../../src/stores/memory/index.ts";
import { type SqliteTx, sqliteStore } from "../../src/stores/sqlite/index.ts";

/** Polls until `check` is true; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/**
 * The stores the in-process jobs tests run on. The process tests (backends.ts) need a store that
 * several processes share, which the memory store cannot be.
 */
const inProcessStores = {
  sqlite: () => {
    const database = new Database(":memory:");
    return { store: sqliteStore({ database }) as JobStore<unknown>, close: () => database.close() };
  },
  memory: () => ({ store: memoryStore() as JobStore<unknown>, close: () => {} }),
};
type StoreName = keyof typeof inProcessStores;
let storeUnderTest: StoreName = "sqlite";

/** Declares the block once per in-process store; `startJobs` inside it runs on that store. */
export function describeOnEachStore(title: string, body: () => void): void {
  for (const name of Object.keys(inProcessStores) as StoreName[]) {
    describe(`${title} [${name}]`, () => {
      beforeAll(() => void (storeUnderTest = name));
      afterAll(() => void (storeUnderTest = "sqlite"));
      body();
    });
  }
}

/** A Jobs service on a fresh store (SQLite in memory, or the block's store), started; `stop()` stops it. */
export async function startJobs(jobs: AnyJobDefinition[], options: Partial<JobsOptions<unknown>> = {}) {
  const { store, close } = inProcessStores[storeUnderTest]();
  const service: Jobs<unknown> = createJobs({ store, jobs, logger: silentLogger, pollIntervalMs: 50, ...options });
  await service.start(new AbortController().signal);
  return {
    jobs: service,
    stop: async (signal = AbortSignal.timeout(5_000)) => {
      await service.stop(signal);
      close();
    },
  };
}

/** A Jobs service on a fresh in-memory SQLite database, with the database for SQLite-specific tests. */
export async function startSqliteJobs(jobs: AnyJobDefinition[], options: Partial<JobsOptions<SqliteTx>> = {}) {
  const database = new Database(":memory:");
  const store = sqliteStore({ database });
  const service: Jobs<SqliteTx> = createJobs({ store, jobs, logger: silentLogger, pollIntervalMs: 50, ...options });
  await service.start(new AbortController().signal);
  return {
    jobs: service,
    database,
    stop: async (signal = AbortSignal.timeout(5_000)) => {
      await service.stop(signal);
      database.close();
    },
  };
}
