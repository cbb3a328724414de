/**
 * Argon2id at OWASP's recommended minimum (19 MiB, 2 iterations): memory-hard against GPU cracking,
 * and about a third of the cost of Bun's default (64 MiB), which matters on small machines where
 * every registration and login pays for one hash.
 */
const ARGON2 = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, ARGON2);
}

/** Parameters are read from the stored hash, so older hashes with other costs still verify. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash);
}
