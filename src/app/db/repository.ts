import type { ConfirmationMail, ConfirmationRecord, RefreshTokenRecord, UserRecord } from "./records.ts";

export type RotateOutcome = "rotated" | "reused" | "expired" | "unknown";

/**
 * Everything the app stores, behind one interface with one implementation per dialect (drizzle has
 * no cross-dialect schema). Methods that also queue a mail write the rows and the job in one
 * transaction (the outbox): both commit or neither does.
 */
export interface AppRepository {
  /** Inserts the user, its confirmation and the confirmation mail job; false when the email exists. */
  registerUser(user: UserRecord, confirmation: ConfirmationRecord, mail: ConfirmationMail): Promise<boolean>;
  /** A new confirmation (and its mail) for an unconfirmed user. */
  addConfirmation(confirmation: ConfirmationRecord, mail: ConfirmationMail): Promise<void>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserById(id: string): Promise<UserRecord | null>;
  findConfirmation(tokenHash: string): Promise<ConfirmationRecord | null>;
  /** When the user's newest confirmation was created (throttles resends). */
  lastConfirmationAt(userId: string): Promise<number | null>;
  /** Uses the token and confirms its user, only if still unused: false when another request won. */
  consumeConfirmation(tokenHash: string, now: number): Promise<boolean>;

  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  /**
   * Replaces the token with `next` when it is current; a token already replaced or revoked is a
   * reuse and revokes its family. Atomic, so two concurrent refreshes cannot both rotate.
   */
  rotateRefreshToken(tokenHash: string, next: RefreshTokenRecord, now: number): Promise<RotateOutcome>;
  /** Revokes the token's family (logout); false when the token is unknown. */
  revokeFamilyOf(tokenHash: string, now: number): Promise<boolean>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Deletes expired refresh tokens; returns how many. */
  deleteExpiredRefreshTokens(now: number): Promise<number>;
}
