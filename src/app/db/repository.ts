import type { ConfirmationMail, ConfirmationRecord, RefreshTokenRecord, UserRecord } from "./records.ts";

/**
 * What rotating a refresh token did. `rotated` carries the token that is now current: the new one, or,
 * within the reuse interval, the one the presented token was already rotated into (concurrent refreshes).
 */
export type RotateOutcome =
  | { outcome: "rotated"; current: RefreshTokenRecord }
  | { outcome: "reused" | "expired" | "unknown" };

/**
 * What registering did: a new account, or one that replaced an unconfirmed registration of the same
 * address (its password, confirmations and pending mail die with it), or nothing because the address
 * belongs to a confirmed account.
 */
export type RegisterOutcome = "created" | "replaced" | "taken";

/**
 * Everything the app stores, behind one interface with one implementation per dialect (drizzle has
 * no cross-dialect schema). Methods that also queue a mail write the rows and the job in one
 * transaction (the outbox): both commit or neither does.
 */
export interface AppRepository {
  /**
   * Inserts the user, its confirmation and the confirmation mail job, replacing an unconfirmed user
   * with the same email (and that user's confirmations); "taken" when a confirmed user has it.
   */
  registerUser(user: UserRecord, confirmation: ConfirmationRecord, mail: ConfirmationMail): Promise<RegisterOutcome>;
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
   * Replaces the token with `next` when it is current. A token already replaced less than
   * `reuseIntervalMs` ago, into `next`'s token hash, by a token that is still current, answers with
   * that token (two concurrent refreshes get the same pair); any other replaced or revoked token is a
   * reuse and revokes its family. Atomic, so two concurrent refreshes cannot both rotate.
   */
  rotateRefreshToken(
    tokenHash: string,
    next: RefreshTokenRecord,
    now: number,
    reuseIntervalMs: number,
  ): Promise<RotateOutcome>;
  /** Revokes the token's family (logout); false when the token is unknown. */
  revokeFamilyOf(tokenHash: string, now: number): Promise<boolean>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Deletes expired refresh tokens; returns how many. */
  deleteExpiredRefreshTokens(now: number): Promise<number>;
}

/**
 * Whether a refresh token presented again may get `successor`, the token it was already rotated into,
 * instead of counting as a reuse: only within the interval, only while the successor is the family's
 * current token (the token before it, not any older one, as Auth0's reuse interval), and only when the
 * successor is the one the presented token derives (see RefreshTokenChain), since that is the token the
 * caller can be given back.
 */
export function withinReuseInterval(
  successor: RefreshTokenRecord,
  derived: RefreshTokenRecord,
  now: number,
  reuseIntervalMs: number,
): boolean {
  return (
    successor.revokedAt === null &&
    successor.replacedBy === null &&
    successor.expiresAt > now &&
    successor.tokenHash === derived.tokenHash &&
    now - successor.createdAt <= reuseIntervalMs
  );
}
