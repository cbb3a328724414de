import "../../support/postgres.ts";
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import pg from "pg";
import { openPostgresAppDb, PostgresAppRepository } from "../../../src/app/db/postgres/repository.ts";
import type { ConfirmationRecord, UserRecord } from "../../../src/app/db/records.ts";
import type { AppRepository } from "../../../src/app/db/repository.ts";
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

/**
 * A second registration of an unconfirmed address replaces the first (whose confirmation dies with it),
 * all or nothing; a confirmed address is "taken".
 */
async function replacements(
  working: AppRepository,
  failing: AppRepository,
  confirm: (userId: string) => unknown,
): Promise<void> {
  const second = { ...user, id: "u2" };
  const secondConfirmation = { ...confirmation, tokenHash: "t2", userId: "u2" };
  expect(await working.registerUser(user, confirmation, mail)).toBe("created");
  // A replacement whose mail cannot be queued leaves the first registration as it was.
  await expect(failing.registerUser(second, secondConfirmation, mail)).rejects.toThrow("queue refused the job");
  expect((await working.findUserByEmail(user.email))?.id).toBe("u1");
  expect(await working.findConfirmation("t1")).not.toBeNull();
  expect(await working.registerUser(second, secondConfirmation, mail)).toBe("replaced");
  expect((await working.findUserByEmail(user.email))?.id).toBe("u2");
  expect(await working.findUserById("u1")).toBeNull();
  expect(await working.findConfirmation("t1")).toBeNull();
  await confirm("u2");
  const third = { ...user, id: "u3" };
  expect(await working.registerUser(third, { ...confirmation, tokenHash: "t3", userId: "u3" }, mail)).toBe("taken");
  expect((await working.findUserByEmail(user.email))?.id).toBe("u2");
}

describe("a failing mail enqueue rolls the registration back (outbox); a new registration replaces an unconfirmed one", () => {
  test("SQLite: the synchronous transaction leaves no user and no confirmation", async () => {
    const database = new Database(":memory:");
    const db = openSqliteAppDb(database);
    const failing = new SqliteAppRepository(db, () => {
      throw new Error("queue refused the job");
    });
    await expect(failing.registerUser(user, confirmation, mail)).rejects.toThrow("queue refused the job");
    expect(await failing.findUserByEmail(user.email)).toBeNull();
    expect(await failing.findConfirmation("t1")).toBeNull();
    await replacements(new SqliteAppRepository(db, () => {}), failing, (id) =>
      database.run("UPDATE app_users SET confirmed_at = 5 WHERE id = ?", [id]),
    );
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
      await replacements(new PostgresAppRepository(db, async () => {}), failing, async (id) => {
        await pool.query("update app_users set confirmed_at = 5 where id = $1", [id]);
      });
    } finally {
      await pool.query(`drop schema if exists "${schema}" cascade`);
      await pool.end();
    }
  });
});
