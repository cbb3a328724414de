import type { Database } from "bun:sqlite";
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { migrationsDir } from "../migrations-dir.ts";
import type { ConfirmationMail, ConfirmationRecord, RefreshTokenRecord, UserRecord } from "../records.ts";
import { type AppRepository, type RegisterOutcome, type RotateOutcome, withinReuseInterval } from "../repository.ts";
import { appSqliteSchema, emailConfirmations, refreshTokens, users } from "./schema.ts";

export type AppSqliteDb = BunSQLiteDatabase<typeof appSqliteSchema>;
export type AppSqliteTx = Parameters<Parameters<AppSqliteDb["transaction"]>[0]>[0];

/**
 * Queues the confirmation mail inside the caller's transaction. It must be synchronous: drizzle's
 * bun-sqlite transactions commit when the callback returns, so an await would escape the rollback.
 */
export type SqliteOutbox = (tx: AppSqliteTx | AppSqliteDb, mail: ConfirmationMail) => void;

/** Opens the app's tables on the given connection and applies the app's migrations. */
export function openSqliteAppDb(database: Database): AppSqliteDb {
  const db = drizzle({ client: database, schema: appSqliteSchema });
  migrate(db, { migrationsFolder: migrationsDir("drizzle/app-sqlite"), migrationsTable: "__app_migrations" });
  return db;
}

export class SqliteAppRepository implements AppRepository {
  constructor(
    private readonly db: AppSqliteDb,
    private readonly outbox: SqliteOutbox,
  ) {}

  async registerUser(
    user: UserRecord,
    confirmation: ConfirmationRecord,
    mail: ConfirmationMail,
  ): Promise<RegisterOutcome> {
    // One synchronous transaction: nothing else on this connection runs between the read and the writes.
    return this.db.transaction((tx) => {
      const existing = tx.select().from(users).where(eq(users.email, user.email)).get();
      if (existing && existing.confirmedAt !== null) return "taken";
      if (existing) deleteUser(tx, existing.id);
      tx.insert(users).values(user).run();
      tx.insert(emailConfirmations).values(confirmation).run();
      this.outbox(tx, mail);
      return existing ? "replaced" : "created";
    });
  }

  async addConfirmation(confirmation: ConfirmationRecord, mail: ConfirmationMail): Promise<void> {
    this.db.transaction((tx) => {
      tx.insert(emailConfirmations).values(confirmation).run();
      this.outbox(tx, mail);
    });
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    return this.db.select().from(users).where(eq(users.email, email)).get() ?? null;
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    return this.db.select().from(users).where(eq(users.id, id)).get() ?? null;
  }

  async findConfirmation(tokenHash: string): Promise<ConfirmationRecord | null> {
    return this.db.select().from(emailConfirmations).where(eq(emailConfirmations.tokenHash, tokenHash)).get() ?? null;
  }

  async lastConfirmationAt(userId: string): Promise<number | null> {
    const row = this.db
      .select({ last: sql<number | null>`max(${emailConfirmations.createdAt})` })
      .from(emailConfirmations)
      .where(eq(emailConfirmations.userId, userId))
      .get();
    return row?.last ?? null;
  }

  async consumeConfirmation(tokenHash: string, now: number): Promise<boolean> {
    return this.db.transaction((tx) => {
      const used = tx
        .update(emailConfirmations)
        .set({ usedAt: now })
        .where(and(eq(emailConfirmations.tokenHash, tokenHash), isNull(emailConfirmations.usedAt)))
        .returning({ userId: emailConfirmations.userId })
        .all();
      const userId = used[0]?.userId;
      if (!userId) return false;
      tx.update(users)
        .set({ confirmedAt: now })
        .where(and(eq(users.id, userId), isNull(users.confirmedAt)))
        .run();
      return true;
    });
  }

  async insertRefreshToken(token: RefreshTokenRecord): Promise<void> {
    this.db.insert(refreshTokens).values(token).run();
  }

  async rotateRefreshToken(
    tokenHash: string,
    next: RefreshTokenRecord,
    now: number,
    reuseIntervalMs: number,
  ): Promise<RotateOutcome> {
    return this.db.transaction((tx): RotateOutcome => {
      const current = tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get();
      if (!current) return { outcome: "unknown" };
      if (current.revokedAt === null && current.replacedBy !== null) {
        const successor = tx.select().from(refreshTokens).where(eq(refreshTokens.id, current.replacedBy)).get();
        if (successor && withinReuseInterval(successor, next, now, reuseIntervalMs)) {
          return { outcome: "rotated", current: successor };
        }
      }
      if (current.revokedAt !== null || current.replacedBy !== null) {
        tx.update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.familyId, current.familyId), isNull(refreshTokens.revokedAt)))
          .run();
        return { outcome: "reused" };
      }
      if (current.expiresAt <= now) return { outcome: "expired" };
      tx.insert(refreshTokens).values(next).run();
      tx.update(refreshTokens).set({ replacedBy: next.id }).where(eq(refreshTokens.id, current.id)).run();
      return { outcome: "rotated", current: next };
    });
  }

  async revokeFamilyOf(tokenHash: string, now: number): Promise<boolean> {
    return this.db.transaction((tx) => {
      const current = tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get();
      if (!current) return false;
      tx.update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.familyId, current.familyId), isNull(refreshTokens.revokedAt)))
        .run();
      return true;
    });
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get() ?? null;
  }

  async deleteExpiredRefreshTokens(now: number): Promise<number> {
    return this.db
      .delete(refreshTokens)
      .where(lt(refreshTokens.expiresAt, now))
      .returning({ id: refreshTokens.id })
      .all().length;
  }
}

/** Deletes a user with its confirmations and refresh tokens, whatever the connection's foreign_keys setting. */
function deleteUser(tx: AppSqliteTx, userId: string): void {
  tx.delete(emailConfirmations).where(eq(emailConfirmations.userId, userId)).run();
  tx.delete(refreshTokens).where(eq(refreshTokens.userId, userId)).run();
  tx.delete(users).where(eq(users.id, userId)).run();
}
