// The store survives losing its connections: another connection kills the backends of a process whose
// Jobs service runs and enqueues jobs, 8 times, then makes the database refuse connections for a while.
// The process stays up, is not ready while the database is unreachable and ready again after, and
// every acknowledged job exists once and succeeds.
import { beforeAll, expect, test } from "bun:test";
import { PostgresConnectionError, postgresStore } from "../../../src/stores/postgres/index.ts";
import { killDatabase } from "../../support/kill-database.ts";
import "../../support/postgres.ts";
import { testClient } from "./pg-test-db.ts";

const fixture = new URL("./fixtures/kill-target.ts", import.meta.url).pathname;
const database = killDatabase("store");
const { url } = database;

interface Status {
  acked: number;
  failed: number;
  runs: number;
  succeeded: number;
  ready: boolean;
  errors: string[];
}

beforeAll(() => database.create());

test("killed 8 times and unreachable for a while, the process stays up and loses no acknowledged job", async () => {
  const wanted = 3_000;
  const child = Bun.spawn(["bun", fixture, url, "errand", String(wanted)], { stdout: "pipe", stderr: "pipe" });
  let exitCode: number | null = null;
  void child.exited.then((code) => (exitCode = code));
  const stderr = new Response(child.stderr).text();
  let status: Status | undefined;
  const statuses: Status[] = [];
  void (async () => {
    let buffered = "";
    for await (const chunk of child.stdout as unknown as AsyncIterable<Uint8Array>) {
      buffered += new TextDecoder().decode(chunk);
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        status = JSON.parse(line) as Status;
        statuses.push(status);
      }
    }
  })();
  const until = async (what: string, check: (s: Status) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(status && check(status))) {
      if (exitCode !== null) throw new Error(`the process exited (${exitCode}) waiting for ${what}:\n${await stderr}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; last status ${JSON.stringify(status)}`);
      await Bun.sleep(20);
    }
  };

  try {
    await until("the first acknowledged jobs", (s) => s.acked > 0 && s.succeeded > 0, 15_000);
    let killed = 0;
    for (let i = 0; i < 8; i++) {
      killed += await database.kill();
      await Bun.sleep(150 + Math.random() * 150);
    }
    expect(killed).toBeGreaterThan(8);

    // Unreachable: connections refused until allowed again.
    await database.refuse();
    await until("readiness to turn false while the database refuses connections", (s) => !s.ready, 10_000);
    await Bun.sleep(500);
    await database.allow();

    await until("every job acknowledged, ready again", (s) => s.ready && s.acked === wanted, 30_000);
    expect(status!.failed).toBeGreaterThan(0);

    // The database is the record: an outcome whose write was applied but not acknowledged is
    // written again (a no-op) and may not reach the process's own events.
    const check = testClient(1, url);
    try {
      const tally = () =>
        check.unsafe<{ jobs: number; keys: number; succeeded: number }>(
          `select count(*)::int as jobs, count(distinct key)::int as keys,
                  count(*) filter (where state = 'succeeded')::int as succeeded from errand.jobs`,
        );
      const deadline = Date.now() + 20_000;
      while ((await tally())[0]!.succeeded < wanted && Date.now() < deadline) await Bun.sleep(100);
      expect((await tally())[0]).toEqual({ jobs: wanted, keys: wanted, succeeded: wanted });
    } finally {
      await check.end();
    }
    expect(exitCode).toBeNull();
  } finally {
    child.kill("SIGTERM");
  }
  expect(await child.exited).toBe(0);
}, 60_000);

const job = (key: string | null) => ({
  name: "a",
  queue: "default",
  payload: {},
  priority: 0,
  runAt: 0,
  maxAttempts: 3,
  key,
});

test("calls fail with a typed, retryable error that says whether they may have been applied", async () => {
  const store = postgresStore({ url, schema: "errand_typed", max: 2 });
  const blocker = testClient(1, url);
  try {
    await store.init();

    // Lost mid-statement: an enqueue waiting on a key another transaction is inserting.
    const holder = await blocker.connect();
    await holder.query("begin");
    await holder.query(
      `insert into errand_typed.jobs (name, queue, state, payload, max_attempts, key, run_at, enqueued_at)
       values ('a', 'default', 'ready', '{}', 3, 'held', 0, 0)`,
    );
    // Caught at once: it fails while the kill below is still being awaited.
    const waiting = store.enqueue([job("held")], { now: 0 }).catch((error: unknown) => error);
    await database.killWhenRunning("%json_to_recordset%");
    const lost = await waiting;
    expect(lost).toBeInstanceOf(PostgresConnectionError);
    expect(lost).toMatchObject({ retryable: true, maybeApplied: true });
    await holder.query("rollback");
    holder.release();

    // Lost inside a transaction, before its commit: nothing was applied.
    const lockHolder = await blocker.connect();
    await lockHolder.query("begin");
    await lockHolder.query("select pg_advisory_xact_lock(hashtext('errand_typed'), hashtext('a'))");
    const claiming = store
      .claim({ workerId: "w", limit: 1, now: 1, leaseMs: 1_000, names: ["a"], limits: { a: 1 } })
      .catch((error: unknown) => error);
    await database.killWhenRunning("%pg_advisory_xact_lock%unnest%");
    const rolledBack = await claiming;
    expect(rolledBack).toBeInstanceOf(PostgresConnectionError);
    expect(rolledBack).toMatchObject({ maybeApplied: false });
    await lockHolder.query("rollback");
    lockHolder.release();

    // Unreachable: no connection at all. A pooled connection killed a moment ago may not be known
    // dead yet: a call sent on it fails as maybe applied; once the pool has dropped it, calls fail
    // to connect, applying nothing.
    await database.refuse();
    let refused: unknown;
    for (let i = 0; i < 50; i++) {
      refused = await store.get("1").catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PostgresConnectionError);
      if (!(refused as PostgresConnectionError).maybeApplied) break;
      await Bun.sleep(20);
    }
    expect(refused).toMatchObject({ maybeApplied: false });
    expect((refused as Error).message).toContain("not currently accepting connections");
    await database.allow();

    // And the same store works again without being told.
    expect(await store.enqueue([job("again")], { now: 0 })).toEqual([{ id: expect.any(String), created: true }]);
  } finally {
    await database.allow();
    await store.close();
    await blocker.end();
  }
});
