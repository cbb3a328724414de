// Group commit on PostgreSQL: concurrent enqueues outside a transaction share one statement and one
// commit, and every caller still gets exactly its own outcome; a connection killed mid-batch fails only
// that batch's calls, with the retryable PostgresConnectionError, and every acknowledged job exists.
import "../../support/postgres.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { t } from "elysia";
import { silentLogger } from "../../../src/hosting/index.ts";
import { createJobs, defineJob, InvalidPayloadError } from "../../../src/jobs/index.ts";
import type { EnqueuedJob, NewJob } from "../../../src/jobs/store.ts";
import { GroupCommit } from "../../../src/stores/postgres/group-commit.ts";
import { PostgresConnectionError, postgresStore } from "../../../src/stores/postgres/index.ts";
import { killDatabase } from "../../support/kill-database.ts";
import { dropSchema, testClient, testDatabaseUrl, testSchema } from "./pg-test-db.ts";

const admin = testClient(2);
afterAll(() => admin.end());

function job(payload: unknown, key: string | null = null): NewJob {
  return { name: "gc.test", queue: "default", payload, priority: 0, runAt: 0, maxAttempts: 3, key };
}

type Outcome = { ok: true; results: EnqueuedJob[] } | { ok: false; error: unknown };

function outcome(promise: Promise<EnqueuedJob[]>): Promise<Outcome> {
  return promise.then(
    (results) => ({ ok: true, results }),
    (error: unknown) => ({ ok: false, error }),
  );
}

describe("GroupCommit", () => {
  test("calls of one tick share a statement; while the slots are busy, the next calls gather", async () => {
    const statements: number[] = [];
    let next = 0;
    const group = new GroupCommit(
      async (jobs) => {
        statements.push(jobs.length);
        await Bun.sleep(5);
        return jobs.map(() => ({ id: String(++next), created: true }));
      },
      { maxInFlight: 1 },
    );
    const first = await Promise.all(Array.from({ length: 50 }, () => group.enqueue([job(1)], 0)));
    expect(statements).toEqual([50]);
    expect(new Set(first.map(([r]) => r!.id)).size).toBe(50);
    statements.length = 0;
    const calls = [group.enqueue([job(1)], 0)];
    await Bun.sleep(1);
    for (let i = 0; i < 30; i++) calls.push(group.enqueue([job(1), job(2)], 0));
    const later = await Promise.all(calls);
    expect(statements).toEqual([1, 60]);
    expect(later.slice(1).every((r) => r.length === 2)).toBe(true);
  });

  test("a batch over maxJobs is split; a larger single call goes alone", async () => {
    const statements: number[] = [];
    const group = new GroupCommit(
      async (jobs) => {
        statements.push(jobs.length);
        return jobs.map((_, i) => ({ id: String(i), created: true }));
      },
      { maxInFlight: 4, maxJobs: 10 },
    );
    await Promise.all([
      ...Array.from({ length: 25 }, () => group.enqueue([job(1)], 0)),
      group.enqueue(
        Array.from({ length: 12 }, () => job(1)),
        0,
      ),
    ]);
    expect(statements).toEqual([10, 10, 5, 12]);
  });

  test("the batch's now is the latest of its callers'", async () => {
    const nows: number[] = [];
    const group = new GroupCommit(async (jobs, now) => {
      nows.push(now);
      return jobs.map(() => ({ id: "1", created: true }));
    });
    await Promise.all([group.enqueue([job(1)], 5), group.enqueue([job(1)], 9), group.enqueue([job(1)], 7)]);
    expect(nows).toEqual([9]);
  });

  test("a batch-wide failure fails every call of the batch, and only those", async () => {
    let fail = true;
    const lost = new Error("connection lost");
    const group = new GroupCommit(
      async (jobs) => {
        if (fail) throw lost;
        return jobs.map(() => ({ id: "1", created: true }));
      },
      { isBatchWide: (error) => error === lost },
    );
    const failed = await Promise.all(Array.from({ length: 10 }, () => outcome(group.enqueue([job(1)], 0))));
    expect(failed.every((o) => !o.ok && o.error === lost)).toBe(true);
    fail = false;
    expect(await group.enqueue([job(1)], 0)).toEqual([{ id: "1", created: true }]);
  });
});

describe("PostgreSQL group commit", () => {
  const schema = testSchema("gc");
  const store = postgresStore({ url: testDatabaseUrl, schema });
  beforeAll(() => store.init());
  afterAll(async () => {
    await store.close();
    await dropSchema(admin, schema);
  });

  test("1,000 concurrent calls with new keys, repeated keys and one invalid payload: each gets its own outcome", async () => {
    const invalidAt = 500;
    const callJobs = Array.from({ length: 1000 }, (_, i): NewJob[] => {
      if (i === invalidAt) return [job({ text: "nul \u0000 is refused by json_to_recordset" }, `bad-${i}`)];
      if (i % 4 === 0) return [job({ i }, `new-${i}`)];
      if (i % 4 === 1) return [job({ i }, `repeated-${i % 10}`)];
      if (i % 4 === 2) return [job({ i })];
      // Several jobs in one call, one of them with a key another call repeats.
      return [job({ i, part: 0 }), job({ i, part: 1 }, `repeated-${i % 10}`)];
    });
    const outcomes = await Promise.all(callJobs.map((jobs) => outcome(store.enqueue(jobs, { now: Date.now() }))));

    const bad = outcomes[invalidAt]!;
    expect(bad.ok).toBe(false);
    expect(bad.ok ? null : bad.error).not.toBeInstanceOf(PostgresConnectionError);
    expect(bad.ok ? "" : String(bad.error)).toMatch(/unicode|\\u0000/i);
    const succeeded = outcomes.filter((o, i) => i !== invalidAt && o.ok);
    expect(succeeded.length).toBe(999);

    // Each repeated key was created by exactly one call; every other got its id. (Concurrent calls have no
    // order: the 1,250 jobs go out as two statements at once, and either may insert a shared key.)
    const byKey = new Map<string, { id: string; created: boolean; call: number }[]>();
    outcomes.forEach((o, call) => {
      if (!o.ok) return;
      expect(o.results.length).toBe(callJobs[call]!.length);
      o.results.forEach((result, k) => {
        const key = callJobs[call]![k]!.key;
        if (key === null) return;
        byKey.set(key, [...(byKey.get(key) ?? []), { ...result, call }]);
      });
    });
    for (const [key, results] of byKey) {
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => r.created).length).toBe(1);
      if (key.startsWith("new-")) expect(results.length).toBe(1);
    }

    // What the database holds is what the callers were told was created, once each.
    const created = outcomes.flatMap((o) => (o.ok ? o.results.filter((r) => r.created).map((r) => r.id) : []));
    expect(new Set(created).size).toBe(created.length);
    const rows = await admin.unsafe<{ id: string; payload: { i: number; part?: number } }>(
      `select id::text as id, payload from "${schema}".jobs`,
    );
    expect(rows.length).toBe(created.length);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(created));
    const payloadOf = new Map(rows.map((r) => [r.id, r.payload]));
    outcomes.forEach((o, call) => {
      if (!o.ok) return;
      o.results.forEach((result, k) => {
        if (!result.created) return;
        expect(payloadOf.get(result.id)).toEqual(callJobs[call]![k]!.payload as { i: number });
      });
    });
  });

  test("a payload JSON cannot hold fails its own call only", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const outcomes = await Promise.all([
      outcome(store.enqueue([job({ a: 1 })], { now: Date.now() })),
      outcome(store.enqueue([job({ big: 1n })], { now: Date.now() })),
      outcome(store.enqueue([job(cyclic)], { now: Date.now() })),
      outcome(store.enqueue([job({ b: 2 })], { now: Date.now() })),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, true]);
    expect(outcomes[1]!.ok ? null : outcomes[1]!.error).toBeInstanceOf(TypeError);
  });
});

describe("PostgreSQL group commit through a running Jobs service", () => {
  const schema = testSchema("gcjobs");
  const store = postgresStore({ url: testDatabaseUrl, schema });
  afterAll(async () => {
    await store.close();
    await dropSchema(admin, schema);
  });

  test("1,000 concurrent jobs.enqueue calls, one failing its schema: each gets its own answer, each job runs once", async () => {
    const runs = new Map<number, number>();
    const work = defineJob({
      name: "gc.work",
      payload: t.Object({ i: t.Number() }),
      handler: ({ i }) => void runs.set(i, (runs.get(i) ?? 0) + 1),
    });
    const jobs = createJobs({ store, jobs: [work], logger: silentLogger });
    await jobs.start(new AbortController().signal);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          (i === 321
            ? jobs.enqueue(work, { i: "not a number" } as unknown as { i: number })
            : jobs.enqueue(work, { i }, i % 5 === 0 ? { key: `w-${i % 50}` } : {})
          ).then(
            (id) => ({ ok: true as const, id }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        ),
      );
      const bad = outcomes[321]!;
      expect(bad.ok ? null : bad.error).toBeInstanceOf(InvalidPayloadError);
      expect(outcomes.filter((o) => o.ok).length).toBe(999);
      // Every fifth call has one of ten keys (w-0, w-5, … w-45): 200 calls, 10 jobs.
      const keyed = new Map<string, Set<string>>();
      outcomes.forEach((o, i) => {
        if (o.ok && i % 5 === 0) keyed.set(`w-${i % 50}`, (keyed.get(`w-${i % 50}`) ?? new Set()).add(o.id));
      });
      expect([...keyed.values()].every((ids) => ids.size === 1)).toBe(true);
      const expected = 1000 - 1 - (200 - 10);
      const deadline = Date.now() + 20_000;
      while ((await jobs.counts()).byState.succeeded < expected && Date.now() < deadline) await Bun.sleep(20);
      expect((await jobs.counts()).byState.succeeded).toBe(expected);
      expect(runs.size).toBe(expected);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await jobs.stop(AbortSignal.timeout(5_000));
    }
  }, 60_000);
});

describe("PostgreSQL group commit, connection killed mid-batch", () => {
  const database = killDatabase("gc");
  beforeAll(() => database.create());

  test("20 times: only the killed batch's calls fail, retryable, and no acknowledged job is lost", async () => {
    const store = postgresStore({ url: database.url, schema: "errand" });
    await store.init();
    try {
      for (let round = 0; round < 20; round++) {
        const clients = 100;
        const perClient = 20;
        const outcomes: { payload: { round: number; c: number; k: number }; outcome: Outcome }[] = [];
        const produce = async (c: number) => {
          for (let k = 0; k < perClient; k++) {
            const payload = { round, c, k };
            outcomes.push({ payload, outcome: await outcome(store.enqueue([job(payload)], { now: Date.now() })) });
          }
        };
        const producing = Promise.all(Array.from({ length: clients }, (_, c) => produce(c)));
        while (outcomes.length < 300) await Bun.sleep(1);
        await killBlockedBatch(database.name, database.url);
        await producing;

        const failed = outcomes.filter((o) => !o.outcome.ok);
        const acked = outcomes.filter((o) => o.outcome.ok);
        expect(failed.length).toBeGreaterThan(0);
        // Only the calls in flight when the batch was killed (each client has one at a time), not the run.
        expect(failed.length).toBeLessThanOrEqual(clients);
        expect(acked.length).toBeGreaterThan(0);
        for (const f of failed) {
          const error = f.outcome.ok ? null : f.outcome.error;
          expect(error).toBeInstanceOf(PostgresConnectionError);
          expect((error as PostgresConnectionError).retryable).toBe(true);
        }
        const stored = await readJobs(database.url, round);
        for (const a of acked) {
          const [result] = a.outcome.ok ? a.outcome.results : [];
          expect(stored.get(result!.id)).toEqual(a.payload);
        }
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});

/**
 * Kills a batch in the middle of its statement: a lock on the jobs table holds the next insert, whose
 * backend is terminated while it waits; then the lock is released and the run goes on.
 */
async function killBlockedBatch(database: string, url: string): Promise<void> {
  const locker = testClient(1, url);
  const client = await locker.connect();
  try {
    await client.query("begin");
    await client.query("lock table errand.jobs in share row exclusive mode");
    for (let i = 0; ; i++) {
      const killed = await admin.unsafe(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and wait_event_type = 'Lock' and query like '%json_to_recordset%'`,
        [database],
      );
      if (killed.length > 0) break;
      if (i > 500) throw new Error("no batch waited on the lock");
      await Bun.sleep(5);
    }
    await client.query("rollback");
  } finally {
    client.release();
    await locker.end();
  }
}

async function readJobs(url: string, round: number): Promise<Map<string, unknown>> {
  const client = testClient(1, url);
  try {
    const rows = await client.unsafe<{ id: string; payload: unknown }>(
      "select id::text as id, payload from errand.jobs where (payload->>'round')::int = $1",
      [round],
    );
    return new Map(rows.map((r) => [r.id, r.payload]));
  } finally {
    await client.end();
  }
}
