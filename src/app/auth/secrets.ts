/** 32 random bytes, base64url: what the user holds. Only its hash is stored. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** SHA-256 hex: enough for high-entropy random tokens (no salt or slow hash needed, unlike passwords). */
export function hashToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

/** Compares secrets in time independent of where they differ, so timing leaks nothing about them. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = new Bun.CryptoHasher("sha256").update(a).digest();
  const right = new Bun.CryptoHasher("sha256").update(b).digest();
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= left[i]! ^ right[i]!;
  return diff === 0;
}

export function hmacSha256(key: Uint8Array, message: string): Uint8Array {
  return new Bun.CryptoHasher("sha256", key).update(message).digest();
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}
