import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/harness.ts";

interface Case {
  name: string;
  method?: string;
  path?: string;
  contentType?: string | null;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  status: number;
}

const valid = { email: "ok@example.com", password: "long enough pw", displayName: "Ok" };
const json = (value: unknown) => JSON.stringify(value);
const register = (name: string, value: unknown, status = 422): Case => ({
  name,
  body: typeof value === "string" ? value : json(value),
  status,
});

const cases: Case[] = [
  // Invalid JSON
  register("empty body", "", 400),
  register("truncated object", '{"email":', 400),
  register("trailing comma", '{"email":"a@example.com",}', 400),
  register("single quotes", "{'email':'a@example.com'}", 400),
  register("bare word", "hello", 400),
  register("NaN literal", '{"email":NaN}', 400),
  // Wrong shapes
  register("JSON null", "null"),
  register("JSON array", json([valid])),
  register("JSON string", json("ok@example.com")),
  register("JSON number", "42"),
  register("empty object", {}),
  // Missing fields
  register("missing email", { ...valid, email: undefined }),
  register("missing password", { ...valid, password: undefined }),
  register("missing displayName", { ...valid, displayName: undefined }),
  // Wrong types
  register("email as number", { ...valid, email: 12 }),
  register("email as object", { ...valid, email: { $ne: null } }),
  register("password as array", { ...valid, password: ["a", "b"] }),
  register("password as number", { ...valid, password: 12345678 }),
  register("displayName as bool", { ...valid, displayName: true }),
  register("displayName null", { ...valid, displayName: null }),
  // Bad values
  register("email without @", { ...valid, email: "not-an-email" }),
  register("email with spaces", { ...valid, email: "a b@example.com" }),
  register("email too long", { ...valid, email: `${"a".repeat(250)}@example.com` }),
  register("password too short", { ...valid, password: "short" }),
  register("password too long", { ...valid, password: "p".repeat(300) }),
  register("displayName empty", { ...valid, displayName: "" }),
  register("displayName only spaces", { ...valid, displayName: "   " }),
  register("displayName too long", { ...valid, displayName: "n".repeat(101) }),
  register("displayName with NUL", { ...valid, displayName: "a\u0000b" }),
  register("displayName with newline", { ...valid, displayName: "line\nbreak" }),
  register("displayName with escape char", { ...valid, displayName: "\u001b[31mred" }),
  register("SQL in email", { ...valid, email: "'; DROP TABLE app_users; --" }),
  register("HTML in email", { ...valid, email: "<script>@example.com" }),
  register("lone surrogate in email", { ...valid, email: "\ud800@example.com" }),
  register("emoji-only email", { ...valid, email: "😀" }),
  // Transport-level problems
  { name: "text/plain body", contentType: "text/plain", body: json(valid), status: 415 },
  { name: "form body", contentType: "application/x-www-form-urlencoded", body: "email=a%40example.com", status: 415 },
  { name: "multipart body", contentType: "multipart/form-data; boundary=x", body: "--x--", status: 415 },
  { name: "xml body", contentType: "application/xml", body: "<user/>", status: 415 },
  { name: "huge body", body: json({ ...valid, displayName: "x".repeat(200_000) }), status: 413 },
  { name: "binary garbage", body: new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x80]), status: 400 },
  {
    name: "invalid UTF-8 in JSON string",
    body: new Uint8Array([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    status: 422,
  },
  // Other routes
  // Matches GET /api/users/:id, which wants a bearer token first.
  {
    name: "GET on a POST route",
    method: "GET",
    path: "/api/users/register",
    body: undefined,
    contentType: null,
    status: 401,
  },
  { name: "confirm without token", path: "/api/users/confirm", body: json({ password: "x" }), status: 422 },
  { name: "confirm without password", path: "/api/users/confirm", body: json({ token: "abc" }), status: 422 },
  {
    name: "confirm with empty token",
    path: "/api/users/confirm",
    body: json({ token: "", password: "x" }),
    status: 422,
  },
  {
    name: "confirm with SQL token",
    path: "/api/users/confirm",
    body: json({ token: "' OR 1=1--", password: "x" }),
    status: 400,
  },
  { name: "confirm page without token", method: "GET", path: "/confirm", contentType: null, status: 422 },
  {
    name: "confirm page post without fields",
    path: "/confirm",
    contentType: "application/x-www-form-urlencoded",
    body: "",
    status: 422,
  },
  // Header injection: an address or name with a line break never reaches a mail.
  register("email with CRLF and a Bcc header", { ...valid, email: "a@example.com\r\nBcc: evil@example.com" }),
  register("displayName with CRLF and a header", { ...valid, displayName: "Ok\r\nBcc: evil@example.com" }),
  {
    name: "resend with CRLF in email",
    path: "/api/users/resend-confirmation",
    body: json({ email: "a@example.com\r\nBcc: evil@example.com" }),
    status: 422,
  },
  // JSON bombs: deep nesting and many keys, under the body limit.
  register("30,000-deep nested arrays", `${"[".repeat(30_000)}${"]".repeat(30_000)}`),
  register("30,000-deep nested objects", `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`),
  register("5,000 keys", `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":1`).join(",")}}`),
  register("a huge number", `{"email":1${"0".repeat(20_000)},"password":"long enough pw","displayName":"A"}`),
  { name: "token with wrong types", path: "/api/auth/token", body: json({ email: 1, password: false }), status: 422 },
  { name: "token with invalid JSON", path: "/api/auth/token", body: "{", status: 400 },
  { name: "refresh without token", path: "/api/auth/refresh", body: json({}), status: 422 },
  {
    name: "refresh with unknown token",
    path: "/api/auth/refresh",
    body: json({ refreshToken: "<img src=x>" }),
    status: 401,
  },
  { name: "resend with bad email", path: "/api/users/resend-confirmation", body: json({ email: "nope" }), status: 422 },
  {
    name: "me with garbage bearer",
    method: "GET",
    path: "/api/users/me",
    body: undefined,
    contentType: null,
    headers: { authorization: "Bearer ' OR 1=1" },
    status: 401,
  },
  { name: "unknown route", method: "DELETE", path: "/api/users", body: undefined, contentType: null, status: 404 },
];

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_MAX: "10000" });
  t.app.listen({ port: 0, hostname: "127.0.0.1" });
  base = `http://127.0.0.1:${t.app.server!.port}`;
});
afterAll(async () => {
  await t.app.stop();
  await t.stop();
});

function rowCounts(): { users: number; jobs: number } {
  const db = new Database(`${t.dir}/app.sqlite`, { readonly: true });
  try {
    const count = (table: string) => (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { users: count("app_users"), jobs: count("errand_jobs") };
  } finally {
    db.close();
  }
}

test(`${cases.length} malformed requests over HTTP: never 5xx, always a JSON error, nothing written`, async () => {
  expect(cases.length).toBeGreaterThanOrEqual(40);
  const before = rowCounts();
  const failures: string[] = [];
  for (const c of cases) {
    const headers: Record<string, string> = { ...c.headers };
    if (c.contentType !== null) headers["content-type"] = c.contentType ?? "application/json";
    const response = await fetch(`${base}${c.path ?? "/api/users/register"}`, {
      method: c.method ?? "POST",
      headers,
      ...(c.body === undefined ? {} : { body: c.body as BodyInit }),
    });
    const type = response.headers.get("content-type") ?? "";
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const ok =
      response.status === c.status &&
      type.includes("application/json") &&
      typeof parsed === "object" &&
      parsed !== null &&
      typeof (parsed as { error?: unknown }).error === "string";
    if (!ok) failures.push(`${c.name}: ${response.status} ${type} ${text.slice(0, 160)}`);
  }
  expect(failures).toEqual([]);
  expect(rowCounts()).toEqual(before);
});
