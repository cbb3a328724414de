import "../../support/postgres.ts";
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import pg from "pg";
import { openPostgresAppDb, PostgresAppRepository } from "../../../src/app/db/postgres/repository.ts";
import type { ConfirmationRecord, UserRecord } from "../../../src/app/db/records.ts";
import { openSqliteAppDb, SqliteAppRepository } from "../../../src/app/db/sqlite/repository.ts";
import { POSTGRES_URL } from "../support/harness.ts";

const user: UserRecord = {
  id: "u1",
  email: "rollback@example.com",
  displayName: "R",
  passwordHash: "h",
  confirmedAt: null,
  createdAt: 1,
};
const confirmation: ConfirmationRecord = { tokenHash: "t1", userId: "u1", expiresAt: 2, usedAt: null, createdAt: 1 };
const mail = { userId: user.id, confirmationId: "c1", requestId: "r1" };

describe("a failing mail enqueue rolls the registration back (outbox)", () => {
  test("SQLite: the synchronous transaction leaves no user and no confirmation", async () => {
    const database = new Database(":memory:");
    const db = openSqliteAppDb(database);
    const failing = new SqliteAppRepository(db, () => {
      throw new Error("queue refused the job");
    });
    await expect(failing.registerUser(user, confirmation, mail)).rejects.toThrow("queue refused the job");
    expect(await failing.findUserByEmail(user.email)).toBeNull();
    expect(await failing.findConfirmation("t1")).toBeNull();
    const working = new SqliteAppRepository(db, () => {});
    expect(await working.registerUser(user, confirmation, mail)).toBe(true);
    expect(
      await working.registerUser({ ...user, id: "u2" }, { ...confirmation, tokenHash: "t2", userId: "u2" }, mail),
    ).toBe(false);
    database.close();
  });

  test("PostgreSQL: the async transaction leaves no user and no confirmation", async () => {
    const schema = `errand_test_app_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2, options: `-c search_path=${schema}` });
    try {
      const db = await openPostgresAppDb(pool, schema);
      const failing = new PostgresAppRepository(db, async () => {
        await Promise.resolve();
        throw new Error("queue refused the job");
      });
      await expect(failing.registerUser(user, confirmation, mail)).rejects.toThrow("queue refused the job");
      expect(await failing.findUserByEmail(user.email)).toBeNull();
      expect(await failing.findConfirmation("t1")).toBeNull();
      const working = new PostgresAppRepository(db, async () => {});
      expect(await working.registerUser(user, confirmation, mail)).toBe(true);
      expect(
        await working.registerUser({ ...user, id: "u2" }, { ...confirmation, tokenHash: "t2", userId: "u2" }, mail),
      ).toBe(false);
    } finally {
      await pool.query(`drop schema if exists "${schema}" cascade`);
      await pool.end();
    }
  });
});
