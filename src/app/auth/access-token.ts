import { base64url, constantTimeEqual } from "./secrets.ts";

export interface AccessClaims {
  /** The user id. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat: number;
}

const HEADER = base64url(new TextEncoder().encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));

/**
 * Short-lived access tokens as HS256 JWTs: verified without a database read. Refresh tokens, which
 * live long and must be revocable, are opaque and stored (hashed) instead.
 */
export class AccessTokens {
  readonly #key: Promise<CryptoKey>;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.#key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  async issue(userId: string, nowMs: number): Promise<{ token: string; expiresIn: number }> {
    const iat = Math.floor(nowMs / 1000);
    const claims: AccessClaims = { sub: userId, iat, exp: iat + this.ttlSeconds };
    const body = `${HEADER}.${base64url(new TextEncoder().encode(JSON.stringify(claims)))}`;
    const signature = await crypto.subtle.sign("HMAC", await this.#key, new TextEncoder().encode(body));
    return { token: `${body}.${base64url(new Uint8Array(signature))}`, expiresIn: this.ttlSeconds };
  }

  /** The claims of a valid, unexpired token; null for anything else (no reason given to callers). */
  async verify(token: string, nowMs: number): Promise<AccessClaims | null> {
    const [header, payload, signature] = token.split(".");
    if (header !== HEADER || !payload || !signature || token.split(".").length !== 3) return null;
    // The signature is compared as the text this server would have written, not as decoded bytes: a
    // base64url decoder also takes other spellings of the last character (and `+`, `/`, `=`), which would
    // give one token several valid forms.
    const expected = await crypto.subtle.sign(
      "HMAC",
      await this.#key,
      new TextEncoder().encode(`${header}.${payload}`),
    );
    if (!constantTimeEqual(signature, base64url(new Uint8Array(expected)))) return null;
    const claims = parseClaims(Buffer.from(payload, "base64url").toString("utf8"));
    if (!claims || claims.exp * 1000 <= nowMs) return null;
    return claims;
  }
}

function parseClaims(json: string): AccessClaims | null {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== "object" || value === null) return null;
    const { sub, exp, iat } = value as Record<string, unknown>;
    if (typeof sub !== "string" || typeof exp !== "number" || typeof iat !== "number") return null;
    return { sub, exp, iat };
  } catch {
    return null;
  }
}
