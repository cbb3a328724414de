import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { chromiumPath } from "../support/chromium.ts";
import { ADMIN_TOKEN, eventually, postJson, startTestApp, type TestApp } from "./support/harness.ts";

const CHROMIUM = chromiumPath;
let t: TestApp;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  t = await startTestApp({ ADMIN_TOKEN, RATE_LIMIT_MAX: "1000" });
  t.app.listen({ port: 0, hostname: "127.0.0.1" });
  base = `http://127.0.0.1:${t.app.server!.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t.app.stop();
  await t.stop();
});

async function offlinePage() {
  const context = await browser.newContext();
  const external: string[] = [];
  // Anything not served by the app fails, as it would on a machine without internet.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) return route.continue();
    external.push(url);
    return route.abort();
  });
  return { page: await context.newPage(), external, context };
}

describe("in a real browser", () => {
  test("dashboard: sign in with the token, find the dead job, retry it in place, see it succeed", async () => {
    t.mailProvider.refusing = true;
    await t.request(
      "/api/users/register",
      postJson({ email: "browser@example.com", password: "long enough pw", displayName: "B" }),
    );
    const dead = await eventually(async () => (await t.runtime.jobs.list({ state: "dead" })).jobs[0]);
    t.mailProvider.refusing = false;

    const { page, external, context } = await offlinePage();
    try {
      await page.goto(`${base}/admin/jobs?state=dead`);
      await page.fill('input[name="token"]', ADMIN_TOKEN);
      await page.click('button[type="submit"]');
      await page.waitForURL(`${base}/admin/jobs?state=dead`);
      const deadRow = page.locator(`#jobs tr[data-job-id="${dead.id}"]`);
      await deadRow.waitFor({ timeout: 10_000 });
      expect(await deadRow.textContent()).toContain("not verified");
      await deadRow.getByRole("button", { name: "Retry" }).click();
      // The list refreshes in place: the job leaves the dead ones once it ran.
      await page.locator(".notice").waitFor();
      await page.locator(`#jobs tr[data-job-id="${dead.id}"]`).waitFor({ state: "detached", timeout: 15_000 });
      await eventually(async () => ((await t.runtime.jobs.get(dead.id))?.state === "succeeded" ? true : undefined));
      expect(t.transport.to("browser@example.com")).toHaveLength(1);
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  test("Swagger UI renders the operations offline", async () => {
    const { page, external, context } = await offlinePage();
    try {
      await page.goto(`${base}/swagger`);
      await page.locator(".opblock").first().waitFor({ timeout: 15_000 });
      const operations = await page.locator(".opblock-summary-path").allInnerTexts();
      expect(operations).toContain("/api/users/register");
      expect(operations).toContain("/api/auth/token");
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  test("Swagger UI: Try it out on register sends the documented JSON body and gets 201", async () => {
    const { page, external, context } = await offlinePage();
    try {
      await page.goto(`${base}/swagger`);
      const register = page.locator(".opblock-post").filter({ hasText: "/api/users/register" });
      await register.locator(".opblock-summary").first().click();
      await register.getByRole("button", { name: "Try it out" }).click();
      const body = register.locator("textarea.body-param__text");
      // The example Swagger UI fills in comes from the documented schema.
      expect(await body.inputValue()).toContain('"displayName"');
      await body.fill(JSON.stringify({ email: "swagger@example.com", password: "long enough pw", displayName: "Sw" }));
      await register.getByRole("button", { name: "Execute" }).click();
      const status = register.locator(".live-responses-table .response .response-col_status").first();
      await status.waitFor({ timeout: 15_000 });
      expect((await status.textContent())?.trim()).toStartWith("201");
      expect(await t.runtime.repository.findUserByEmail("swagger@example.com")).toMatchObject({ displayName: "Sw" });
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
