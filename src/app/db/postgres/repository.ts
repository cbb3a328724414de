import { and, eq, isNull, lt, max, sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type { Pool } from "pg";
import { migrationsDir } from "../migrations-dir.ts";
import type { ConfirmationMail, ConfirmationRecord, RefreshTokenRecord, UserRecord } from "../records.ts";
import { type AppRepository, type RegisterOutcome, type RotateOutcome, withinReuseInterval } from "../repository.ts";
import { appPostgresSchema, emailConfirmations, refreshTokens, users } from "./schema.ts";

export type AppPostgresDb = NodePgDatabase<typeof appPostgresSchema>;
export type AppPostgresTx = Parameters<Parameters<AppPostgresDb["transaction"]>[0]>[0];

/** Queues the confirmation mail inside the caller's transaction (asynchronous on PostgreSQL). */
export type PostgresOutbox = (tx: AppPostgresTx, mail: ConfirmationMail) => Promise<void>;

/**
 * Opens the app's tables on a node-postgres pool whose search_path is `schema`, creating the schema
 * and applying the app's migrations there (journal in the same schema).
 */
export async function openPostgresAppDb(pool: Pool, schema: string): Promise<AppPostgresDb> {
  await pool.query(`create schema if not exists "${schema.replaceAll('"', '""')}"`);
  const db = drizzle({ client: pool, schema: appPostgresSchema });
  await migrate(db, {
    migrationsFolder: migrationsDir("drizzle/app-postgres"),
    migrationsTable: "__app_migrations",
    migrationsSchema: schema,
  });
  return db;
}

export class PostgresAppRepository implements AppRepository {
  constructor(
    private readonly db: AppPostgresDb,
    private readonly outbox: PostgresOutbox,
  ) {}

  async registerUser(
    user: UserRecord,
    confirmation: ConfirmationRecord,
    mail: ConfirmationMail,
  ): Promise<RegisterOutcome> {
    try {
      return await this.db.transaction(async (tx): Promise<RegisterOutcome> => {
        // Registrations of one address take turns. A row lock cannot do it: there may be no row yet,
        // and one that a concurrent replacement deletes is skipped by the waiters, whose inserts would
        // then collide on the unique email.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${user.email}, 0))`);
        const [existing] = await tx.select().from(users).where(eq(users.email, user.email));
        if (existing && existing.confirmedAt !== null) return "taken";
        if (existing) await deleteUser(tx, existing.id);
        await tx.insert(users).values(user);
        await tx.insert(emailConfirmations).values(confirmation);
        await this.outbox(tx, mail);
        return existing ? "replaced" : "created";
      });
    } catch (error) {
      // Only a registration that bypassed the lock (another version of the app) can get here.
      if (isUniqueViolation(error, "app_users_email_unique")) return "taken";
      throw error;
    }
  }

  async addConfirmation(confirmation: ConfirmationRecord, mail: ConfirmationMail): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(emailConfirmations).values(confirmation);
      await this.outbox(tx, mail);
    });
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email));
    return row ?? null;
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row ?? null;
  }

  async findConfirmation(tokenHash: string): Promise<ConfirmationRecord | null> {
    const [row] = await this.db.select().from(emailConfirmations).where(eq(emailConfirmations.tokenHash, tokenHash));
    return row ?? null;
  }

  async lastConfirmationAt(userId: string): Promise<number | null> {
    const [row] = await this.db
      .select({ last: max(emailConfirmations.createdAt) })
      .from(emailConfirmations)
      .where(eq(emailConfirmations.userId, userId));
    return row?.last ?? null;
  }

  async consumeConfirmation(tokenHash: string, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [used] = await tx
        .update(emailConfirmations)
        .set({ usedAt: now })
        .where(and(eq(emailConfirmations.tokenHash, tokenHash), isNull(emailConfirmations.usedAt)))
        .returning({ userId: emailConfirmations.userId });
      if (!used) return false;
      await tx
        .update(users)
        .set({ confirmedAt: now })
        .where(and(eq(users.id, used.userId), isNull(users.confirmedAt)));
      return true;
    });
  }

  async insertRefreshToken(token: RefreshTokenRecord): Promise<void> {
    await this.db.insert(refreshTokens).values(token);
  }

  async rotateRefreshToken(
    tokenHash: string,
    next: RefreshTokenRecord,
    now: number,
    reuseIntervalMs: number,
  ): Promise<RotateOutcome> {
    return this.db.transaction(async (tx): Promise<RotateOutcome> => {
      // The row lock makes two concurrent refreshes of one token take turns: the second sees it replaced.
      const [current] = await tx
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .for("update");
      if (!current) return { outcome: "unknown" };
      if (current.revokedAt === null && current.replacedBy !== null) {
        const [successor] = await tx.select().from(refreshTokens).where(eq(refreshTokens.id, current.replacedBy));
        if (successor && withinReuseInterval(successor, next, now, reuseIntervalMs)) {
          return { outcome: "rotated", current: successor };
        }
      }
      if (current.revokedAt !== null || current.replacedBy !== null) {
        await tx
          .update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.familyId, current.familyId), isNull(refreshTokens.revokedAt)));
        return { outcome: "reused" };
      }
      if (current.expiresAt <= now) return { outcome: "expired" };
      await tx.insert(refreshTokens).values(next);
      await tx.update(refreshTokens).set({ replacedBy: next.id }).where(eq(refreshTokens.id, current.id));
      return { outcome: "rotated", current: next };
    });
  }

  async revokeFamilyOf(tokenHash: string, now: number): Promise<boolean> {
    const [current] = await this.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
    if (!current) return false;
    await this.db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.familyId, current.familyId), isNull(refreshTokens.revokedAt)));
    return true;
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const [row] = await this.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
    return row ?? null;
  }

  async deleteExpiredRefreshTokens(now: number): Promise<number> {
    const deleted = await this.db
      .delete(refreshTokens)
      .where(lt(refreshTokens.expiresAt, now))
      .returning({ id: refreshTokens.id });
    return deleted.length;
  }
}

/** Deletes a user with its confirmations and refresh tokens. */
async function deleteUser(tx: AppPostgresTx, userId: string): Promise<void> {
  await tx.delete(emailConfirmations).where(eq(emailConfirmations.userId, userId));
  await tx.delete(refreshTokens).where(eq(refreshTokens.userId, userId));
  await tx.delete(users).where(eq(users.id, userId));
}

/** drizzle wraps the driver's error; PostgreSQL's unique_violation is code 23505 with the constraint name. */
function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const pg = e as { code?: unknown; constraint?: unknown };
    if (pg.code === "23505" && pg.constraint === constraint) return true;
  }
  return false;
}
