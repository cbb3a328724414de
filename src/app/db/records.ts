/**
 * The app's rows as the domain sees them, the same for both dialects. Times are milliseconds since
 * the epoch. Secrets (confirmation and refresh tokens) are stored only as SHA-256 hashes.
 */
export interface UserRecord {
  id: string;
  /** Lowercased; unique. */
  email: string;
  displayName: string;
  passwordHash: string;
  confirmedAt: number | null;
  createdAt: number;
}

export interface ConfirmationRecord {
  tokenHash: string;
  userId: string;
  expiresAt: number;
  usedAt: number | null;
  createdAt: number;
}

/**
 * One refresh token. Rotation replaces a token with a new one of the same family; presenting a token
 * that was already replaced (a reuse: it leaked) revokes the whole family.
 */
export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  expiresAt: number;
  createdAt: number;
  revokedAt: number | null;
  replacedBy: string | null;
}

/**
 * The confirmation mail queued with a user or confirmation row, in the same transaction: references
 * only. The job reads the address and name when it runs and derives the link from the confirmation
 * id (see ConfirmationLinks), so the job table holds no token and no address.
 */
export interface ConfirmationMail {
  userId: string;
  confirmationId: string;
  /** The request that caused it, carried into the job's logs. */
  requestId: string;
  /** Not before this time (epoch ms): keeps one address at one mail per resend interval. Not part of the payload. */
  sendAt?: number;
}
