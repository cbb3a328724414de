import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { SqliteTx } from "../../../src/stores/sqlite/index.ts";
import { SqliteStoreConfigError, sqliteStore } from "../../../src/stores/sqlite/index.ts";
import { describeJobStoreContract } from "../contract/job-store.contract.ts";

class Rollback extends Error {}

/** drizzle's bun-sqlite transaction is synchronous: the enqueue must run inside it without awaiting. */
function syncTransaction(database: Database) {
  const db = drizzle({ client: database });
  return async (work: (tx: SqliteTx) => unknown, outcome: "commit" | "rollback") => {
    try {
      db.transaction((tx) => {
        const result = work(tx);
        if (result instanceof Promise)
          throw new Error("a synchronous store returned a Promise inside a sync transaction");
        if (outcome === "rollback") throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
  };
}

describeJobStoreContract<SqliteTx>("sqlite (shared in-memory connection)", async () => {
  const database = new Database(":memory:");
  const store = sqliteStore({ database });
  return {
    store,
    cleanup: async () => {
      await store.close();
      database.close();
    },
    transaction: syncTransaction(database),
  };
});

describeJobStoreContract<SqliteTx>("sqlite (own file)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "errand-contract-"));
  const store = sqliteStore({ path: join(dir, "jobs.db") });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    transaction: syncTransaction(store.database),
  };
});

describe("sqliteStore options", () => {
  test("a missing path or database is a typed error", () => {
    expect(() => sqliteStore({ path: "" })).toThrow(SqliteStoreConfigError);
    expect(() => sqliteStore({} as never)).toThrow(SqliteStoreConfigError);
  });

  test("a file store is created with WAL and its migrations, and reopens with its jobs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "errand-sqlite-"));
    try {
      const path = join(dir, "jobs.db");
      const first = sqliteStore({ path });
      expect(first.database.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      const [job] = await first.enqueue(
        [{ name: "a", queue: "default", payload: { n: 1 }, priority: 0, runAt: 0, maxAttempts: 1, key: null }],
        { now: 0 },
      );
      await first.close();
      const second = sqliteStore({ path });
      expect((await second.get(job!.id))!.payload).toEqual({ n: 1 });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("shares an app's connection and leaves it open on close", async () => {
    const database = new Database(":memory:");
    const store = sqliteStore({ database });
    await store.close();
    expect(database.query("SELECT count(*) AS n FROM errand_jobs").get()).toEqual({ n: 0 });
    database.close();
  });
});

describe("concurrent enqueues", () => {
  test("each get their own results, keys included", async () => {
    const database = new Database(":memory:");
    const store = sqliteStore({ database });
    const job = (n: number, key: string | null = null) => ({
      name: "a",
      queue: "default",
      payload: { n },
      priority: 0,
      runAt: 0,
      maxAttempts: 1,
      key,
    });
    const results = await Promise.all([
      ...Array.from({ length: 50 }, (_, n) => store.enqueue([job(n)], { now: 0 })),
      store.enqueue([job(50, "k"), job(51)], { now: 0 }),
      store.enqueue([job(52, "k")], { now: 0 }),
    ]);
    const ids = results.flat().map((r) => r.id);
    expect(new Set(ids.slice(0, 52)).size).toBe(52);
    expect(results[51]).toEqual([{ id: results[50]![0]!.id, created: false }]);
    for (let n = 0; n < 50; n++) expect((await store.get(results[n]![0]!.id))!.payload).toEqual({ n });
    database.close();
  });

  test("a failing call fails alone", async () => {
    const database = new Database(":memory:");
    const store = sqliteStore({ database });
    const good = { name: "a", queue: "default", payload: 1, priority: 0, runAt: 0, maxAttempts: 1, key: null };
    const bad = { ...good, name: null as never }; // violates NOT NULL
    const [first, second, third] = await Promise.allSettled([
      store.enqueue([good], { now: 0 }),
      store.enqueue([bad], { now: 0 }),
      store.enqueue([good], { now: 0 }),
    ]);
    expect(first.status).toBe("fulfilled");
    expect(second.status).toBe("rejected");
    expect(third.status).toBe("fulfilled");
    expect(await store.counts()).toEqual([{ name: "a", state: "ready", count: 2 }]);
    database.close();
  });
});
