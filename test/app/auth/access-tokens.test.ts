// Access tokens are HS256 JWTs checked without a database read: every way to forge or bend one fails.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AccessTokens } from "../../../src/app/auth/access-token.ts";
import { confirmTokenFrom, eventually, postJson, startTestApp, type TestApp } from "../support/harness.ts";

const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
const tokens = new AccessTokens(secret, 900);
const now = Date.now();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The other spellings of a base64url string's last character that decode to the same bytes. */
function sameBytesSpellings(encoded: string): string[] {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const bytes = Buffer.from(encoded, "base64url");
  return [...alphabet]
    .map((last) => encoded.slice(0, -1) + last)
    .filter((spelling) => spelling !== encoded && Buffer.from(spelling, "base64url").equals(bytes));
}

describe("AccessTokens.verify", () => {
  test("a token it issued verifies until it expires", async () => {
    const { token } = await tokens.issue("user-1", now);
    expect(await tokens.verify(token, now)).toMatchObject({ sub: "user-1" });
    expect(await tokens.verify(token, now + 901_000)).toBeNull();
  });

  test("one signature has one spelling: the other encodings of its last character are refused", async () => {
    const { token } = await tokens.issue("user-1", now);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const spellings = sameBytesSpellings(signature);
    expect(spellings.length).toBe(3);
    for (const spelling of spellings) expect(await tokens.verify(`${header}.${payload}.${spelling}`, now)).toBeNull();
    // Padding or base64 (not base64url) characters are other spellings too.
    expect(await tokens.verify(`${token}=`, now)).toBeNull();
    const standard = `${signature.slice(0, 10)}+/${signature.slice(12)}`;
    expect(await tokens.verify(`${header}.${payload}.${standard}`, now)).toBeNull();
  });

  test("alg:none, another algorithm, or no signature are refused", async () => {
    const { token } = await tokens.issue("user-1", now);
    const [, payload, signature] = token.split(".") as [string, string, string];
    for (const alg of ["none", "None", "HS512", "RS256"]) {
      const header = b64({ alg, typ: "JWT" });
      expect(await tokens.verify(`${header}.${payload}.`, now), alg).toBeNull();
      expect(await tokens.verify(`${header}.${payload}.${signature}`, now), alg).toBeNull();
    }
    expect(await tokens.verify(`${token.split(".").slice(0, 2).join(".")}.`, now)).toBeNull();
    expect(await tokens.verify(token.split(".").slice(0, 2).join("."), now)).toBeNull();
  });

  test("a payload swapped in under another token's signature, or edited, is refused", async () => {
    const alice = (await tokens.issue("alice", now)).token.split(".");
    const bob = (await tokens.issue("bob", now)).token.split(".");
    expect(await tokens.verify(`${alice[0]}.${bob[1]}.${alice[2]}`, now)).toBeNull();
    const longer = b64({ sub: "alice", iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 10 ** 9 });
    expect(await tokens.verify(`${alice[0]}.${longer}.${alice[2]}`, now)).toBeNull();
    // Signed with another secret: refused.
    const other = new AccessTokens(Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"), 900);
    expect(await tokens.verify((await other.issue("alice", now)).token, now)).toBeNull();
  });
});

describe("forged tokens over HTTP", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_MAX: "1000", AUTH_SECRET: secret });
  });
  afterAll(() => t.stop());

  test("/api/users/me answers 401 to every bent version of a valid token, 200 to the token itself", async () => {
    const email = "forge@example.com";
    const password = "forgery password";
    await t.request("/api/users/register", postJson({ email, password, displayName: "F" }));
    const token = await eventually(() => confirmTokenFrom(t.transport, email));
    await t.request("/api/users/confirm", postJson({ token, password }));
    const pair = (await (await t.request("/api/auth/token", postJson({ email, password }))).json()) as {
      accessToken: string;
    };
    const me = (bearer: string) => t.request("/api/users/me", { headers: { authorization: `Bearer ${bearer}` } });
    expect((await me(pair.accessToken)).status).toBe(200);
    const [header, payload, signature] = pair.accessToken.split(".") as [string, string, string];
    const forged = [
      ...sameBytesSpellings(signature).map((s) => `${header}.${payload}.${s}`),
      `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
      `${header}.${b64({ sub: "someone-else", iat: 0, exp: 4_000_000_000 })}.${signature}`,
    ];
    for (const bent of forged) expect((await me(bent)).status, bent).toBe(401);
  });
});
