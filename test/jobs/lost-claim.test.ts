// A claim that was applied but whose answer never arrived (its connection was lost on the way back)
// leaves jobs running under this worker, which does not know of them. The dispatcher gives them back
// before it claims again, so they run long before their lease would expire.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import { type ClaimOptions, createJobs, defineJob, type JobStore, type Jobs } from "../../src/jobs/index.ts";
import { memoryStore } from "../../src/stores/memory/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";
import { until } from "./helpers.ts";

class AnswerLost extends Error {
  override name = "AnswerLost";
}

/** The store's claim runs, then the call fails as if its answer had been lost, `times` times. */
function losingClaims<Tx>(store: JobStore<Tx>, times: number): { store: JobStore<Tx>; lost: () => number } {
  let lost = 0;
  const claim = async (options: ClaimOptions) => {
    const claimed = await store.claim(options);
    if (claimed.length === 0 || lost >= times) return claimed;
    lost++;
    throw new AnswerLost("connection lost after the claim was sent");
  };
  const wrapped = new Proxy(store, {
    get: (target, key) => {
      if (key === "claim") return claim;
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: wrapped, lost: () => lost };
}

let running: Jobs<unknown> | undefined;
afterEach(async () => {
  await running?.stop(AbortSignal.timeout(5_000));
  running = undefined;
});

const stores = {
  memory: () => memoryStore() as JobStore<unknown>,
  sqlite: () => sqliteStore({ database: new Database(":memory:") }) as JobStore<unknown>,
};

for (const [name, open] of Object.entries(stores)) {
  test(`[${name}] jobs of a claim whose answer was lost run again at once, their attempt uncounted`, async () => {
    const { store, lost } = losingClaims(open(), 2);
    const ran: number[] = [];
    const work = defineJob({
      name: "lost.work",
      payload: t.Object({ n: t.Integer() }),
      handler: ({ n }) => void ran.push(n),
    });
    const jobs = createJobs({ store, jobs: [work], logger: silentLogger, pollIntervalMs: 20, leaseMs: 60_000 });
    await jobs.enqueueMany(
      work,
      [1, 2, 3, 4, 5].map((n) => ({ payload: { n } })),
    );
    running = jobs as Jobs<unknown>;
    await jobs.start(new AbortController().signal);

    // A lease of a minute: without the give-back nothing would run for a minute.
    await until(() => ran.length === 5, "the five jobs to run", 2_000);
    expect(lost()).toBe(2);
    expect(ran.sort()).toEqual([1, 2, 3, 4, 5]);
    await until(async () => (await jobs.counts()).byState.succeeded === 5, "the outcomes to be written", 2_000);
    const page = await jobs.list({ name: "lost.work" });
    expect(page.jobs.map((job) => job.attempts)).toEqual([1, 1, 1, 1, 1]);
  });
}
