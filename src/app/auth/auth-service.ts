import type { Clock } from "errand";
import type { RefreshTokenRecord, UserRecord } from "../db/records.ts";
import type { AppRepository } from "../db/repository.ts";
import { ForbiddenError, UnauthorizedError } from "../http/errors.ts";
import { normalizeEmail } from "../users/user-service.ts";
import type { AccessTokens } from "./access-token.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import type { RefreshTokenChain } from "./refresh-tokens.ts";
import { hashToken } from "./secrets.ts";

export interface TokenPair {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshToken: string;
}

/** A hash to verify against when the email is unknown, so both paths take an argon2 verification. */
const UNKNOWN_USER_HASH = hashPassword(crypto.randomUUID());

export interface AuthServiceOptions {
  refreshTokens: RefreshTokenChain;
  refreshTtlMs: number;
  /** How long a rotated refresh token still answers with the pair it was rotated into. */
  reuseIntervalMs: number;
}

/** Password login, refresh-token rotation with reuse detection, logout, and access-token checks. */
export class AuthService {
  constructor(
    private readonly repository: AppRepository,
    private readonly accessTokens: AccessTokens,
    private readonly clock: Clock,
    private readonly options: AuthServiceOptions,
  ) {}

  async login(email: string, password: string): Promise<TokenPair> {
    const user = await this.repository.findUserByEmail(normalizeEmail(email));
    const valid = await verifyPassword(password, user?.passwordHash ?? (await UNKNOWN_USER_HASH));
    if (!user || !valid) throw new UnauthorizedError("invalid_credentials", "Invalid email or password.");
    if (user.confirmedAt === null) {
      throw new ForbiddenError(
        "email_not_confirmed",
        "Confirm your email address first; the link is in the mail we sent.",
      );
    }
    const now = this.clock.now();
    const token = this.options.refreshTokens.first();
    await this.repository.insertRefreshToken(this.#refreshRecord(token, user.id, crypto.randomUUID(), now));
    return this.#pair(user.id, token, now);
  }

  /**
   * Rotates the refresh token. Presenting it again within the reuse interval (two tabs refreshing at
   * once) answers with the same pair; presenting it later, or a token older than the one before the
   * current, is a reuse and revokes the whole family.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock.now();
    const current = await this.repository.findRefreshToken(hashToken(refreshToken));
    if (!current) throw new UnauthorizedError("invalid_refresh_token", "The refresh token is not valid.");
    const successor = this.options.refreshTokens.successorOf(refreshToken);
    const next = this.#refreshRecord(successor, current.userId, current.familyId, now);
    const rotated = await this.repository.rotateRefreshToken(
      hashToken(refreshToken),
      next,
      now,
      this.options.reuseIntervalMs,
    );
    if (rotated.outcome !== "rotated") {
      throw new UnauthorizedError("invalid_refresh_token", "The refresh token is not valid.");
    }
    // Issued at the rotation's time, not now: a repeat within the interval gets the same access token too.
    return this.#pair(current.userId, successor, rotated.current.createdAt);
  }

  /** Revokes the refresh token's family; unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string): Promise<void> {
    await this.repository.revokeFamilyOf(hashToken(refreshToken), this.clock.now());
  }

  /** The user of a valid `Authorization: Bearer` access token, else UnauthorizedError. */
  async authenticate(authorization: string | undefined): Promise<UserRecord> {
    const token = authorization?.match(/^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/)?.[1];
    const claims = token ? await this.accessTokens.verify(token, this.clock.now()) : null;
    const user = claims ? await this.repository.findUserById(claims.sub) : null;
    if (!user) throw new UnauthorizedError();
    return user;
  }

  async #pair(userId: string, refreshToken: string, issuedAt: number): Promise<TokenPair> {
    const access = await this.accessTokens.issue(userId, issuedAt);
    return { accessToken: access.token, tokenType: "Bearer", expiresIn: access.expiresIn, refreshToken };
  }

  /** The row for a refresh token: its hash, never the token. */
  #refreshRecord(token: string, userId: string, familyId: string, now: number): RefreshTokenRecord {
    return {
      id: crypto.randomUUID(),
      familyId,
      userId,
      tokenHash: hashToken(token),
      expiresAt: now + this.options.refreshTtlMs,
      createdAt: now,
      revokedAt: null,
      replacedBy: null,
    };
  }
}
