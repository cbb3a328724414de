// Admin and metrics tokens are compared with constantTimeEqual: how long it takes must not say where a
// guess first differs from the token. Measured against an early-exit comparison, which must show the
// difference, so the measurement is known to be able to see one.
import { expect, test } from "bun:test";
import { constantTimeEqual } from "../../../src/app/auth/secrets.ts";

function earlyExitEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** A character that is not `c`: a fixed "X" equals a random secret's own character once in 64 runs. */
function other(c: string): string {
  return c === "X" ? "Y" : "X";
}

/** Median time ratio of compare(secret, lateDifference) to compare(secret, earlyDifference), interleaved. */
function ratio(compare: (a: string, b: string) => boolean, secret: string): number {
  const early = `${other(secret.at(0)!)}${secret.slice(1)}`;
  const late = `${secret.slice(0, -1)}${other(secret.at(-1)!)}`;
  const ratios: number[] = [];
  for (let round = 0; round < 31; round++) {
    let started = performance.now();
    for (let i = 0; i < 5; i++) compare(secret, early);
    const earlyMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < 5; i++) compare(secret, late);
    ratios.push((performance.now() - started) / earlyMs);
  }
  return ratios.sort((a, b) => a - b)[15]!;
}

test("comparing a token takes as long whether a guess differs at its first or its last character", () => {
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(750_000))).toString("base64");
  expect(constantTimeEqual(secret, secret)).toBe(true);
  expect(constantTimeEqual(secret, `${secret.slice(0, -1)}${other(secret.at(-1)!)}`)).toBe(false);
  expect(constantTimeEqual(secret, secret.slice(1))).toBe(false);
  expect(constantTimeEqual("", "")).toBe(true);
  // The measurement sees an early exit...
  expect(ratio(earlyExitEqual, secret)).toBeGreaterThan(20);
  // ...and none in the comparison the app uses.
  const measured = ratio(constantTimeEqual, secret);
  expect(measured).toBeGreaterThan(0.67);
  expect(measured).toBeLessThan(1.5);
});
