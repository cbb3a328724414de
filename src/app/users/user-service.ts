import type { Clock } from "errand";
import type { ConfirmationLinks } from "../auth/confirmation-links.ts";
import { hashPassword } from "../auth/passwords.ts";
import { hashToken } from "../auth/secrets.ts";
import type { ConfirmationMail, ConfirmationRecord, UserRecord } from "../db/records.ts";
import type { AppRepository } from "../db/repository.ts";
import { BadRequestError, ConflictError } from "../http/errors.ts";

export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
}

export interface UserServiceOptions {
  links: ConfirmationLinks;
  confirmTokenTtlMs: number;
  resendIntervalMs: number;
}

export type ConfirmFailure = "invalid_token" | "expired_token" | "used_token";

/** Registration and email confirmation: the seed's flow, with the mail queued in the same transaction. */
export class UserService {
  constructor(
    private readonly repository: AppRepository,
    private readonly clock: Clock,
    private readonly options: UserServiceOptions,
  ) {}

  async register(input: RegisterInput, requestId: string): Promise<UserRecord> {
    const now = this.clock.now();
    const user: UserRecord = {
      id: crypto.randomUUID(),
      email: normalizeEmail(input.email),
      displayName: input.displayName.trim(),
      passwordHash: await hashPassword(input.password),
      confirmedAt: null,
      createdAt: now,
    };
    const { record, mail } = this.#newConfirmation(user.id, now, requestId);
    const created = await this.repository.registerUser(user, record, mail);
    if (!created) throw new ConflictError("email_taken", "An account with this email already exists.");
    return user;
  }

  /** Confirms the account the token belongs to; each token works once, until it expires. */
  async confirm(token: string): Promise<UserRecord> {
    const now = this.clock.now();
    const hash = hashToken(token);
    const confirmation = await this.repository.findConfirmation(hash);
    if (!confirmation) throw confirmError("invalid_token");
    if (confirmation.usedAt !== null) throw confirmError("used_token");
    if (confirmation.expiresAt <= now) throw confirmError("expired_token");
    if (!(await this.repository.consumeConfirmation(hash, now))) throw confirmError("used_token");
    const user = await this.repository.findUserById(confirmation.userId);
    if (!user) throw confirmError("invalid_token");
    return user;
  }

  /**
   * Sends a fresh link to an unconfirmed account, at most once per interval per address. The answer
   * is the same whether or not the address exists, so it cannot be used to probe for accounts.
   */
  async resendConfirmation(email: string, requestId: string): Promise<void> {
    const now = this.clock.now();
    const user = await this.repository.findUserByEmail(normalizeEmail(email));
    if (!user || user.confirmedAt !== null) return;
    const last = await this.repository.lastConfirmationAt(user.id);
    if (last !== null && now - last < this.options.resendIntervalMs) return;
    const { record, mail } = this.#newConfirmation(user.id, now, requestId);
    await this.repository.addConfirmation(record, mail);
  }

  /** The row keeps the hash of the link's token; the mail job gets the confirmation id to derive the link from. */
  #newConfirmation(
    userId: string,
    now: number,
    requestId: string,
  ): { record: ConfirmationRecord; mail: ConfirmationMail } {
    const confirmationId = this.options.links.newId();
    const record = {
      tokenHash: this.options.links.linkFor(confirmationId).tokenHash,
      userId,
      expiresAt: now + this.options.confirmTokenTtlMs,
      usedAt: null,
      createdAt: now,
    };
    return { record, mail: { userId, confirmationId, requestId } };
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const CONFIRM_MESSAGES: Record<ConfirmFailure, string> = {
  invalid_token: "This confirmation link is not valid.",
  expired_token: "This confirmation link has expired; ask for a new one.",
  used_token: "This confirmation link was already used.",
};

function confirmError(reason: ConfirmFailure): BadRequestError {
  return new BadRequestError(reason, CONFIRM_MESSAGES[reason]);
}
