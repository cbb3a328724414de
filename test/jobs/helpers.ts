import { Database } from "bun:sqlite";
import { silentLogger } from "../../src/hosting/index.ts";
import { type AnyJobDefinition, createJobs, type Jobs, type JobsOptions } from "../../src/jobs/index.ts";
import { type SqliteTx, sqliteStore } from "../../src/stores/sqlite/index.ts";

/** Polls until `check` is true; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** A Jobs service on a fresh in-memory SQLite database, started; `stop()` stops it. */
export async function startJobs(jobs: AnyJobDefinition[], options: Partial<JobsOptions<SqliteTx>> = {}) {
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
