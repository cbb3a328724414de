import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import type { NewJob } from "../../../src/jobs/store.ts";
import type { SqliteTx } from "../../../src/stores/sqlite/index.ts";
import {
  openSqliteDatabase,
  SqliteMigrationError,
  SqliteOpenError,
  SqliteStoreConfigError,
  sqliteStore,
} from "../../../src/stores/sqlite/index.ts";
import { migrations } from "../../../src/stores/sqlite/migrations.generated.ts";
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

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "errand-sqlite-"));
  dirs.push(dir);
  return dir;
}

const newJob = (overrides: Partial<NewJob> = {}): NewJob => ({
  name: "a",
  queue: "default",
  payload: { n: 1 },
  priority: 0,
  runAt: 0,
  maxAttempts: 1,
  key: null,
  ...overrides,
});

describe("sqliteStore({ path })", () => {
  test("creates the missing parent directories of the path", async () => {
    const path = join(tempDir(), "data", "nested", "jobs.db");
    const store = sqliteStore({ path });
    expect(existsSync(path)).toBe(true);
    await store.close();
  });

  test("a path under a file is a typed error naming the path and the cause", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "");
    const path = join(dir, "file", "jobs.db");
    const error = catchError(() => sqliteStore({ path }));
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect((error as SqliteOpenError).path).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/EEXIST|ENOTDIR/); // mkdir of the parent, which is a file
  });

  test("a path that is a directory is a typed error naming the path and SQLite's cause", () => {
    const path = join(tempDir(), "jobs.db");
    mkdirSync(path);
    const error = catchError(() => sqliteStore({ path }));
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect(error.message).toContain(`"${path}": unable to open database file`);
  });

  test("openSqliteDatabase gives an app the store's settings, foreign keys on", () => {
    const database = openSqliteDatabase(join(tempDir(), "app", "app.db"));
    expect(database.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(database.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    expect(database.query("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 });
    database.close();
  });
});

describe("migrations", () => {
  test("a database migrated by drizzle's migrator (earlier versions) is recognised as up to date", async () => {
    const database = new Database(":memory:");
    migrate(drizzle({ client: database }), {
      migrationsFolder: join(import.meta.dir, "../../../drizzle/sqlite"),
      migrationsTable: "__errand_migrations",
    });
    database.run("INSERT INTO errand_jobs_id_floor (id, floor) VALUES (1, 41)");
    const store = sqliteStore({ database }); // would fail with "table already exists" if it applied 0000 again
    const [job] = await store.enqueue([newJob()], { now: 0 });
    expect(job!.id).toBe("42");
    expect(database.query("SELECT hash, created_at FROM __errand_migrations").all()).toEqual(
      migrations.map((m) => ({ hash: m.hash, created_at: m.createdAt })),
    );
    database.close();
  });

  test("a failing migration is a typed error, and a file the store opened is closed again", () => {
    const path = join(tempDir(), "jobs.db");
    const conflicting = new Database(path);
    conflicting.run("CREATE TABLE errand_jobs (x)");
    conflicting.close();
    const error = catchError(() => sqliteStore({ path }));
    expect(error).toBeInstanceOf(SqliteMigrationError);
    expect(error.message).toContain("table `errand_jobs` already exists");
    // Closed: a second connection can take the write lock at once.
    const after = new Database(path);
    after.run("BEGIN IMMEDIATE; ROLLBACK");
    after.close();
  });
});

describe("enqueue inside the caller's transaction", () => {
  test("quotes, NUL and non-ASCII text arrive unchanged (values travel as SQL literals)", async () => {
    const database = new Database(":memory:");
    const store = sqliteStore({ database });
    const text = "it's \0 'quoted' -- ; DROP TABLE errand_jobs; é 😀";
    const [job] = drizzle({ client: database }).transaction((tx) =>
      store.enqueueSync([newJob({ name: text, key: text, payload: { text } })], { now: 0, tx }),
    );
    expect(await store.get(job!.id)).toMatchObject({ name: text, key: text, payload: { text } });
    database.close();
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

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
