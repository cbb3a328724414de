// The dashboard in Chromium: sign in, page, filter, look at an HTML payload, act, and an attacker's
// page on another origin trying to post.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { chromiumPath } from "../support/chromium.ts";
import { createDemo, DEMO_TOKEN, type Demo, resizeImage, seedDead, seedHour, webhook } from "./support/demo.ts";

let demo: Demo;
let base: string;
let browser: Browser;
const running = new AbortController();

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  demo = createDemo({ refreshMs: 500 });
  await seedHour(demo.store);
  demo.app.listen({ port: 0, hostname: "127.0.0.1" });
  base = `http://127.0.0.1:${demo.app.server!.port}`;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.app.stop();
  if (running.signal.aborted) await demo.jobs.stop(AbortSignal.timeout(5_000));
});

interface Session {
  context: BrowserContext;
  page: Page;
  /** Requests that left the dashboard's origin (none may: no CDN). */
  external: string[];
  /** Console messages about the Content-Security-Policy, and page errors. */
  problems: string[];
}

async function signedIn(): Promise<Session> {
  const context = await browser.newContext();
  const external: string[] = [];
  const problems: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) return route.continue();
    external.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("dialog", (dialog) => dialog.accept());
  await page.goto(`${base}/admin/jobs`);
  expect(page.url()).toStartWith(`${base}/admin/login`);
  await page.fill('input[name="token"]', DEMO_TOKEN);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/admin/jobs`);
  return { context, page, external, problems };
}

async function finish(session: Session): Promise<void> {
  expect(session.external).toEqual([]);
  expect(session.problems).toEqual([]);
  await session.context.close();
}

const jobIds = (page: Page) =>
  page.locator("#jobs tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-job-id")));

describe("the dashboard in Chromium", () => {
  test("sign in with the token, then the overview shows counts and the chart", async () => {
    const session = await signedIn();
    const { page } = session;
    await page.click('header.top nav a:has-text("Overview")');
    await page.waitForURL(`${base}/admin/`);
    expect(await page.locator('.tile[data-state="succeeded"] .n').textContent()).toMatch(/^\d[\d,]*$/);
    expect(await page.locator(".chart svg rect.ok").count()).toBeGreaterThan(30);
    expect(await page.locator("#names tbody tr").count()).toBeGreaterThanOrEqual(4);
    await finish(session);
  }, 60_000);

  test("page through 250 jobs with the Next link", async () => {
    await demo.jobs.enqueueMany(
      resizeImage,
      Array.from({ length: 250 }, (_, i) => ({ payload: { imageId: i, sizes: [64] }, delayMs: 86_400_000 })),
    );
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/admin/jobs?name=images.resize&state=scheduled`);
    const seen: string[] = [];
    let pages = 0;
    for (;;) {
      pages++;
      seen.push(...((await jobIds(page)) as string[]));
      const next = page.locator("#next-page");
      if ((await next.count()) === 0) break;
      await Promise.all([page.waitForURL(/cursor=/), next.click()]);
    }
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(250);
    // Newest first: ids fall from the first page to the last.
    const numbers = seen.map(Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    await finish(session);
  }, 60_000);

  test("filter dead jobs by name with the filter form", async () => {
    const dead = await seedDead(demo.store, 7);
    const session = await signedIn();
    const { page } = session;
    await page.selectOption('select[name="state"]', "dead");
    await page.selectOption('select[name="name"]', "mail.send");
    await Promise.all([page.waitForURL(/state=dead/), page.click('#filters button[type="submit"]')]);
    const rows = page.locator("#jobs tbody tr");
    const states = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-state")));
    expect(new Set(states)).toEqual(new Set(["dead"]));
    expect(await rows.locator("td:nth-child(2)").allInnerTexts()).toEqual(states.map(() => "mail.send"));
    expect(await jobIds(page)).toEqual(expect.arrayContaining(dead));
    expect(await page.locator("#bulk").textContent()).toContain("dead jobs named mail.send");
    await finish(session);
  }, 60_000);

  test("a job page shows an HTML payload as text; no script in it runs", async () => {
    const evil = `<img src=x onerror="window.__owned=1"><script>window.__owned=2</script>`;
    const [id] = await seedDead(demo.store, 1, { to: ["a@example.com"], template: evil, props: { html: evil } });
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/admin/jobs/${id}`);
    const payload = page.locator("#payload");
    expect(await payload.textContent()).toContain('<img src=x onerror=\\"window.__owned=1\\">');
    expect(await payload.locator("img, script").count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
    expect(await page.locator("#attempts").textContent()).toContain("mailbox unavailable");
    await finish(session);
  }, 60_000);

  test("retry from the job page updates it in place, then it runs and the page follows live", async () => {
    const [id] = await seedDead(demo.store, 1);
    if (!running.signal.aborted) {
      running.abort();
      await demo.jobs.start(new AbortController().signal);
    }
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/admin/jobs/${id}`);
    await page.evaluate(() => {
      (window as unknown as { __stayed: boolean }).__stayed = true;
    });
    await page.click('#job-actions button:has-text("Retry")');
    await page.locator(".notice").waitFor();
    expect(await page.locator(".notice").textContent()).toBe("The job will run again now.");
    await page.locator("#job-state .badge.succeeded").waitFor({ timeout: 10_000 });
    // No navigation happened: the window and its globals are the same.
    expect(await page.evaluate(() => (window as unknown as { __stayed?: boolean }).__stayed)).toBe(true);
    expect(page.url()).toBe(`${base}/admin/jobs/${id}`);
    expect((await demo.jobs.get(id!))!.state).toBe("succeeded");
    await finish(session);
  }, 60_000);

  test("discard from the job page, after confirming", async () => {
    const [id] = await seedDead(demo.store, 1);
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/admin/jobs/${id}`);
    await page.click('#job-actions button:has-text("Discard")');
    await page.waitForURL(`${base}/admin/jobs`);
    expect(await page.locator(".notice").textContent()).toBe("The job was discarded.");
    expect(await demo.jobs.get(id!)).toBeNull();
    await finish(session);
  }, 60_000);

  test("bulk retry every dead job of a name", async () => {
    const dead = await seedDead(demo.store, 12);
    const otherDead = await demo.store.enqueue(
      [{ name: webhook.name, queue: "default", payload: {}, priority: 0, runAt: 0, maxAttempts: 1, key: null }],
      { now: Date.now() },
    );
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/admin/jobs?state=dead&name=mail.send`);
    await page.click('#bulk button:has-text("Retry all")');
    await page.locator(".notice").waitFor();
    expect(await page.locator(".notice").textContent()).toMatch(/^\d+ jobs will run again now\.$/);
    for (const id of dead) expect((await demo.jobs.get(id))!.state).not.toBe("dead");
    expect((await demo.jobs.list({ state: "dead", name: "mail.send" })).jobs).toEqual([]);
    expect(await demo.jobs.get(otherDead[0]!.id)).not.toBeNull();
    await finish(session);
  }, 60_000);

  test("trigger a cron: the run appears among its runs", async () => {
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/admin/crons`);
    const row = page.locator('tr[data-cron="invoice-sync"]');
    await row.locator('button:has-text("Trigger now")').click();
    await page.locator(".notice").waitFor();
    expect(await page.locator(".notice").textContent()).toBe("The cron run was enqueued.");
    const runs = await demo.cron.runs("invoice-sync");
    expect(runs.length).toBeGreaterThanOrEqual(1);
    await page.locator(`tr[data-cron="invoice-sync"] .runs a[href="/admin/jobs/${runs[0]!.jobId}"]`).waitFor();
    await finish(session);
  }, 60_000);

  test("the overview follows new work without reloading", async () => {
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/admin/`);
    await page.evaluate(() => {
      (window as unknown as { __stayed: boolean }).__stayed = true;
    });
    const scheduled = page.locator('.tile[data-state="scheduled"] .n');
    const before = Number((await scheduled.textContent())!.replaceAll(",", ""));
    await demo.jobs.enqueueMany(
      resizeImage,
      Array.from({ length: 5 }, (_, i) => ({ payload: { imageId: i, sizes: [1] }, delayMs: 86_400_000 })),
    );
    await page.waitForFunction(
      (expected) =>
        Number(document.querySelector('.tile[data-state="scheduled"] .n')?.textContent?.replaceAll(",", "")) ===
        expected,
      before + 5,
      { timeout: 10_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { __stayed?: boolean }).__stayed)).toBe(true);
    await finish(session);
  }, 60_000);

  test("a POST from another origin is refused, with or without the session cookie", async () => {
    const [id] = await seedDead(demo.store, 1);
    const session = await signedIn();
    const { page, context } = session;
    // The attacker's page: it knows a job id and posts a form at the dashboard.
    const attack = (target: string) => `<!doctype html><form id="f" method="post" action="${target}">
<input name="_csrf" value="guessed"><input name="back" value="/admin/"></form><script>document.getElementById("f").submit()</script>`;
    const attacker = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response(attack(`${base}/admin/jobs/${id}/retry`), { headers: { "content-type": "text/html" } }),
    });
    try {
      await context.unroute("**/*");
      // Same site, another origin (another port): SameSite lets the cookie through; the origin check refuses.
      const sameSite = await context.newPage();
      const [refused] = await Promise.all([
        sameSite.waitForResponse((r) => r.url().includes(`/admin/jobs/${id}/retry`)),
        sameSite.goto(`http://127.0.0.1:${attacker.port}/`),
      ]);
      expect(refused.status()).toBe(403);
      // Another site (localhost is not 127.0.0.1): the SameSite=Strict cookie stays home.
      const crossSite = await context.newPage();
      const [anonymous] = await Promise.all([
        crossSite.waitForResponse((r) => r.url().includes(`/admin/jobs/${id}/retry`)),
        crossSite.goto(`http://localhost:${attacker.port}/`),
      ]);
      expect(anonymous.status()).toBe(401);
      expect((await demo.jobs.get(id!))!.state).toBe("dead");
      // The signed-in page itself still works.
      await page.goto(`${base}/admin/jobs/${id}`);
      expect(await page.locator("#job-state").textContent()).toBe("dead");
    } finally {
      attacker.stop(true);
      await session.context.close();
    }
    expect(session.problems).toEqual([]);
  }, 60_000);
});
