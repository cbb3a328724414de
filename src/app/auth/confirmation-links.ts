import { base64url, hashToken, hmacSha256 as hmac } from "./secrets.ts";

/** A confirmation link, and the hash of its token (what the database keeps). */
export interface ConfirmationLink {
  url: string;
  tokenHash: string;
}

/**
 * Email confirmation links whose token is derived, never stored: token = HMAC-SHA256(key, id), with
 * the key derived from AUTH_SECRET. The confirmation row keeps only the token's SHA-256, the mail job
 * only the confirmation id, so neither the job table nor the admin API holds a usable link. The mail
 * job derives the same link on every attempt, so each attempt renders the same mail and the
 * provider's idempotency key still delivers it once. A new AUTH_SECRET invalidates queued links.
 */
export class ConfirmationLinks {
  readonly #key: Uint8Array;

  constructor(
    secret: string,
    private readonly publicUrl: string,
  ) {
    // A key of its own, so a confirmation token is never a valid signature for anything else AUTH_SECRET signs.
    this.#key = hmac(new TextEncoder().encode(secret), "errand.app/confirmation-links");
  }

  /** A fresh, unguessable confirmation id (it names the link; it is not the token). */
  newId(): string {
    return base64url(crypto.getRandomValues(new Uint8Array(16)));
  }

  linkFor(confirmationId: string): ConfirmationLink {
    const token = base64url(hmac(this.#key, confirmationId));
    return {
      // The page that asks for the registration's password (users/confirm-page.ts).
      url: `${this.publicUrl}/confirm?token=${encodeURIComponent(token)}`,
      tokenHash: hashToken(token),
    };
  }
}
