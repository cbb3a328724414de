import type { Clock } from "errand";
import type { RefreshTokenRecord, UserRecord } from "../db/records.ts";
import type { AppRepository } from "../db/repository.ts";
import { ForbiddenError, UnauthorizedError } from "../http/errors.ts";
import { normalizeEmail } from "../users/user-service.ts";
import type { AccessTokens } from "./access-token.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { hashToken, randomToken } from "./secrets.ts";

export interface TokenPair {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshToken: string;
}

/** A hash to verify against when the email is unknown, so both paths take an argon2 verification. */
const UNKNOWN_USER_HASH = hashPassword(crypto.randomUUID());

/** Password login, refresh-token rotation with reuse detection, logout, and access-token checks. */
export class AuthService {
  constructor(
    private readonly repository: AppRepository,
    private readonly accessTokens: AccessTokens,
    private readonly clock: Clock,
    private readonly refreshTtlMs: number,
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
    return this.#issue(user.id, crypto.randomUUID());
  }

  /** Rotates the refresh token. Presenting one that was already rotated revokes its whole family. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock.now();
    const current = await this.repository.findRefreshToken(hashToken(refreshToken));
    if (!current) throw new UnauthorizedError("invalid_refresh_token", "The refresh token is not valid.");
    const next = this.#newRefreshToken(current.userId, current.familyId, now);
    const outcome = await this.repository.rotateRefreshToken(hashToken(refreshToken), next.record, now);
    if (outcome !== "rotated") throw new UnauthorizedError("invalid_refresh_token", "The refresh token is not valid.");
    const access = await this.accessTokens.issue(current.userId, now);
    return { accessToken: access.token, tokenType: "Bearer", expiresIn: access.expiresIn, refreshToken: next.token };
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

  async #issue(userId: string, familyId: string): Promise<TokenPair> {
    const now = this.clock.now();
    const refresh = this.#newRefreshToken(userId, familyId, now);
    await this.repository.insertRefreshToken(refresh.record);
    const access = await this.accessTokens.issue(userId, now);
    return { accessToken: access.token, tokenType: "Bearer", expiresIn: access.expiresIn, refreshToken: refresh.token };
  }

  #newRefreshToken(userId: string, familyId: string, now: number): { record: RefreshTokenRecord; token: string } {
    const token = randomToken();
    const record: RefreshTokenRecord = {
      id: crypto.randomUUID(),
      familyId,
      userId,
      tokenHash: hashToken(token),
      expiresAt: now + this.refreshTtlMs,
      createdAt: now,
      revokedAt: null,
      replacedBy: null,
    };
    return { record, token };
  }
}
