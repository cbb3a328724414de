// What the contract cannot show with one connection: several claimers at the same moment.

import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { NewJob } from "../../../src/jobs/store.ts";
import { type PostgresJobStore, postgresStore } from "../../../src/stores/postgres/index.ts";
import { migrations } from "../../../src/stores/postgres/migrations.generated.ts";
import { testDatabaseUrl } from "../../support/postgres.ts";
import { dropSchema, testClient, testSchema } from "./pg-test-db.ts";

const admin = testClient(2);
afterAll(() => admin.end());

const t0 = 1_700_000_000_000;
const job = (name: string, key: string | null = null): NewJob => ({
  name,
  queue: "default",
  payload: null,
  priority: 0,
  runAt: t0,
  maxAttempts: 3,
  key,
});

let schema: string;
let stores: PostgresJobStore[];

beforeEach(async () => {
  schema = testSchema("conc");
  // Separate pools, as separate instances would have.
  stores = Array.from({ length: 4 }, () =>
    postgresStore({
      url: testDatabaseUrl,
      schema,
      max: 2,
    }),
  );
  await Promise.all(stores.map((s) => s.init()));
});
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await dropSchema(admin, schema);
});

describe("PostgreSQL store under concurrent claimers", () => {
  test("instances starting together migrate once and all work", async () => {
    const [row] = await admin.unsafe<{ n: number }>(`select count(*)::int as n from "${schema}".__errand_migrations`);
    // Each migration recorded once, however many instances raced to apply them.
    expect(row!.n).toBe(migrations.length);
  });

  test("parallel claims take disjoint jobs and, together, all of them", async () => {
    await stores[0]!.enqueue(
      Array.from({ length: 400 }, () => job("a")),
      { now: t0 },
    );
    const claimedBy = await Promise.all(
      stores.map(async (store, w) => {
        const ids: string[] = [];
        for (;;) {
          const batch = await store.claim({ workerId: `w${w}`, limit: 7, now: t0, leaseMs: 30_000, names: ["a"] });
          if (batch.length === 0) return ids;
          ids.push(...batch.map((c) => c.id));
        }
      }),
    );
    const all = claimedBy.flat();
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
  });

  test("a per-name limit holds across instances claiming at the same moment", async () => {
    await stores[0]!.enqueue(
      Array.from({ length: 40 }, () => job("report")),
      { now: t0 },
    );
    const limits = { report: 2 };
    let maxRunning = 0;
    let done = 0;
    while (done < 40) {
      const batches = await Promise.all(
        stores.map((store, w) =>
          store.claim({ workerId: `w${w}`, limit: 5, now: t0, leaseMs: 30_000, names: ["report"], limits }),
        ),
      );
      const [running] = await admin.unsafe<{ n: number }>(
        `select count(*)::int as n from "${schema}".jobs where state = 'running' and name = 'report'`,
      );
      maxRunning = Math.max(maxRunning, running!.n);
      expect(batches.flat().length).toBeLessThanOrEqual(2);
      await Promise.all(
        batches.map((batch, w) =>
          stores[w]!.complete(
            batch.map((c) => c.id),
            { workerId: `w${w}`, now: t0 },
          ),
        ),
      );
      done += batches.flat().length;
    }
    expect(maxRunning).toBe(2);
  });

  test("the same key enqueued by two instances at once creates one job, both get its id", async () => {
    for (let round = 0; round < 10; round++) {
      const key = `race-${round}`;
      const results = await Promise.all(stores.map((store) => store.enqueue([job("a", key)], { now: t0 })));
      const ids = new Set(results.map(([r]) => r!.id));
      expect(ids.size).toBe(1);
      expect(results.filter(([r]) => r!.created)).toHaveLength(1);
    }
  });
});
