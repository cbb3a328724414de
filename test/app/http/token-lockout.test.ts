// ADMIN_TOKEN is taken by the dashboard, /metrics and /dev/mail: wrong guesses through any of them count
// in one limit per client (TRUST_PROXY names the client), after which even the right token gets 429.
import { afterEach, describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, METRICS_TOKEN, startTestApp, type TestApp } from "../support/harness.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function listening(env: Record<string, string>) {
  app = await startTestApp({ NODE_ENV: "development", ...env }, { previewMail: true, start: false });
  app.app.listen({ port: 0, hostname: "127.0.0.1" });
  return `http://127.0.0.1:${app.app.server!.port}`;
}

const get = (url: string, authorization: string, client = "198.51.100.7") =>
  fetch(url, { headers: { authorization, "x-forwarded-for": client } });
const basic = (token: string) => `Basic ${btoa(`admin:${token}`)}`;

describe("wrong tokens are limited on every route that takes them", () => {
  test("/metrics: 10 wrong bearer tokens, then 429 with retry-after even for the right one", async () => {
    const origin = await listening({ ADMIN_TOKEN, METRICS_TOKEN, TRUST_PROXY: "127.0.0.1/32" });
    for (let i = 0; i < 10; i++) expect((await get(`${origin}/metrics`, "Bearer wrong")).status).toBe(401);
    const locked = await get(`${origin}/metrics`, `Bearer ${METRICS_TOKEN}`);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await locked.json()).toMatchObject({ error: "rate_limited" });
    // Another client behind the same trusted proxy still scrapes.
    expect((await get(`${origin}/metrics`, `Bearer ${METRICS_TOKEN}`, "198.51.100.8")).status).toBe(200);
  });

  test("/dev/mail (Basic), /metrics and the dashboard share one count for ADMIN_TOKEN", async () => {
    const origin = await listening({ ADMIN_TOKEN, TRUST_PROXY: "127.0.0.1/32" });
    for (let i = 0; i < 5; i++) expect((await get(`${origin}/dev/mail`, basic("wrong"))).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await get(`${origin}/metrics`, "Bearer wrong")).status).toBe(401);
    expect((await get(`${origin}/dev/mail`, basic(ADMIN_TOKEN))).status).toBe(429);
    expect((await get(`${origin}/metrics`, `Bearer ${ADMIN_TOKEN}`)).status).toBe(429);
    expect((await get(`${origin}/admin/`, `Bearer ${ADMIN_TOKEN}`)).status).toBe(429);
    expect((await get(`${origin}/dev/mail`, basic(ADMIN_TOKEN), "198.51.100.8")).status).toBe(200);
  });

  test("without a trusted proxy, X-Forwarded-For does not escape the limit", async () => {
    const origin = await listening({ ADMIN_TOKEN });
    for (let i = 0; i < 10; i++)
      expect((await get(`${origin}/metrics`, "Bearer wrong", `203.0.113.${i}`)).status).toBe(401);
    expect((await get(`${origin}/metrics`, `Bearer ${ADMIN_TOKEN}`, "203.0.113.99")).status).toBe(429);
  });
});

describe("dashboard sign-in with a body that is not a urlencoded form", () => {
  test("multipart and JSON are a JSON 415 and count no failure", async () => {
    const origin = await listening({ ADMIN_TOKEN });
    const login = (init: RequestInit) =>
      fetch(`${origin}/admin/login`, {
        method: "POST",
        redirect: "manual",
        ...init,
        headers: { origin, ...init.headers },
      });
    const multipart = new FormData();
    multipart.set("token", ADMIN_TOKEN);
    for (let i = 0; i < 6; i++) {
      for (const init of [
        { body: multipart },
        { body: JSON.stringify({ token: ADMIN_TOKEN }), headers: { "content-type": "application/json" } },
      ]) {
        const response = await login(init);
        expect(response.status).toBe(415);
        expect(response.headers.get("content-type")).toStartWith("application/json");
        expect(await response.json()).toMatchObject({
          error: "unsupported_media_type",
          message: expect.stringContaining("application/x-www-form-urlencoded"),
        });
      }
    }
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const signedIn = await login({ body: `token=${ADMIN_TOKEN}`, headers: form });
    expect(signedIn.status).toBe(303);
  });
});
