// The app's tables on PostgreSQL: the same rows as sqlite/schema.ts, in the schema named by
// DATABASE_SCHEMA (the connection's search_path), beside the jobs store's own schema. Times are
// epoch milliseconds in bigint columns, read as JS numbers.
import { bigint, index, pgTable, text } from "drizzle-orm/pg-core";

const millis = (name: string) => bigint(name, { mode: "number" });

export const users = pgTable("app_users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique("app_users_email_unique"),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  confirmedAt: millis("confirmed_at"),
  createdAt: millis("created_at").notNull(),
});

export const emailConfirmations = pgTable(
  "app_email_confirmations",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: millis("expires_at").notNull(),
    usedAt: millis("used_at"),
    createdAt: millis("created_at").notNull(),
  },
  (t) => [index("app_email_confirmations_user_idx").on(t.userId, t.createdAt)],
);

export const refreshTokens = pgTable(
  "app_refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique("app_refresh_tokens_hash_unique"),
    expiresAt: millis("expires_at").notNull(),
    createdAt: millis("created_at").notNull(),
    revokedAt: millis("revoked_at"),
    replacedBy: text("replaced_by"),
  },
  (t) => [
    index("app_refresh_tokens_family_idx").on(t.familyId),
    index("app_refresh_tokens_expiry_idx").on(t.expiresAt),
  ],
);

export const appPostgresSchema = { users, emailConfirmations, refreshTokens };
