import { base64url, hmacSha256, randomToken } from "./secrets.ts";

/**
 * The refresh tokens of one family form a chain: a login starts it with 32 random bytes, and each
 * rotation's token is derived from the token it replaces, HMAC-SHA256 under a key derived from
 * AUTH_SECRET. The database still keeps only hashes. Deriving is what lets a second refresh that races
 * the first, within the reuse interval, be answered with the very token the first one got, which the
 * server has not kept anywhere. Without the key, a token says nothing about its successor.
 */
export class RefreshTokenChain {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    // A key of its own, so a successor is never a valid signature for anything else AUTH_SECRET signs.
    this.#key = hmacSha256(new TextEncoder().encode(secret), "errand.app/refresh-token-chain");
  }

  /** The first token of a new family (a login). */
  first(): string {
    return randomToken();
  }

  /** The token that replaces `token` when it is rotated: the same every time it is asked for. */
  successorOf(token: string): string {
    return base64url(hmacSha256(this.#key, token));
  }
}
