// The app's tables on SQLite. Separate from the jobs store's schema (src/stores/sqlite) but in the
// same database file, so a user row and its confirmation mail job commit in one transaction.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("app_users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique("app_users_email_unique"),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  confirmedAt: integer("confirmed_at"),
  createdAt: integer("created_at").notNull(),
});

export const emailConfirmations = sqliteTable(
  "app_email_confirmations",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("app_email_confirmations_user_idx").on(t.userId, t.createdAt)],
);

export const refreshTokens = sqliteTable(
  "app_refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique("app_refresh_tokens_hash_unique"),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
    replacedBy: text("replaced_by"),
  },
  (t) => [
    index("app_refresh_tokens_family_idx").on(t.familyId),
    index("app_refresh_tokens_expiry_idx").on(t.expiresAt),
  ],
);

export const appSqliteSchema = { users, emailConfirmations, refreshTokens };
