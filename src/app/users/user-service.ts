import type { Clock } from "errand";
import type { ConfirmationLinks } from "../auth/confirmation-links.ts";
import { hashPassword, verifyPassword } from "../auth/passwords.ts";
import { hashToken } from "../auth/secrets.ts";
import type { ConfirmationMail, ConfirmationRecord, UserRecord } from "../db/records.ts";
import type { AppRepository } from "../db/repository.ts";
import { BadRequestError, ConflictError, UnauthorizedError } from "../http/errors.ts";

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

/**
 * Registration and email confirmation: the seed's flow, with the mail queued in the same transaction.
 *
 * Against account pre-hijacking (someone registers your address first, with their password, and waits
 * for you to confirm it), a confirmation is bound to the registration that asked for it: confirming
 * takes the link *and* that registration's password, so following a link you did not ask for confirms
 * nothing. And since such a squatted registration can then never be confirmed by you, registering an
 * unconfirmed address again replaces it: the old password, links and queued mail die with it.
 */
export class UserService {
  constructor(
    private readonly repository: AppRepository,
    private readonly clock: Clock,
    private readonly options: UserServiceOptions,
  ) {}

  async register(input: RegisterInput, requestId: string): Promise<UserRecord> {
    const now = this.clock.now();
    const email = normalizeEmail(input.email);
    const sendAt = await this.#nextMailTime(email, now);
    const user: UserRecord = {
      id: crypto.randomUUID(),
      email,
      displayName: input.displayName.trim(),
      passwordHash: await hashPassword(input.password),
      confirmedAt: null,
      createdAt: now,
    };
    const { record, mail } = this.#newConfirmation(user.id, now, requestId);
    const outcome = await this.repository.registerUser(user, record, { ...mail, ...(sendAt ? { sendAt } : {}) });
    if (outcome === "taken") throw new ConflictError("email_taken", "An account with this email already exists.");
    return user;
  }

  /**
   * Confirms the account the token belongs to, given the password chosen at that registration; each
   * token works once, until it expires. A wrong password leaves the token as it was.
   */
  async confirm(token: string, password: string): Promise<UserRecord> {
    const now = this.clock.now();
    const hash = hashToken(token);
    const confirmation = await this.repository.findConfirmation(hash);
    if (!confirmation) throw confirmError("invalid_token");
    if (confirmation.usedAt !== null) throw confirmError("used_token");
    if (confirmation.expiresAt <= now) throw confirmError("expired_token");
    const user = await this.repository.findUserById(confirmation.userId);
    if (!user) throw confirmError("invalid_token");
    if (!(await verifyPassword(password, user.passwordHash))) {
      throw new UnauthorizedError(
        "invalid_credentials",
        "This is not the password of the registration this link confirms. If you did not register, register now: that replaces it.",
      );
    }
    if (!(await this.repository.consumeConfirmation(hash, now))) throw confirmError("used_token");
    return { ...user, confirmedAt: user.confirmedAt ?? now };
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

  /**
   * When a registration's mail may go out: at once, unless it replaces an unconfirmed registration
   * whose last mail went out within the resend interval. Then it waits for the interval, so registering
   * an address over and over sends it no more mail than asking for resends does; the replaced
   * registrations' queued mails find their user gone and send nothing.
   */
  async #nextMailTime(email: string, now: number): Promise<number | undefined> {
    const existing = await this.repository.findUserByEmail(email);
    if (!existing || existing.confirmedAt !== null) return undefined;
    const last = await this.repository.lastConfirmationAt(existing.id);
    const next = last === null ? now : last + this.options.resendIntervalMs;
    return next > now ? next : undefined;
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
