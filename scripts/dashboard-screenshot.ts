// Renders the dashboard over a seeded memory store in Chromium and saves the README's screenshot:
// `bun scripts/dashboard-screenshot.ts [out.png] [path]` (default docs/dashboard.png, the overview).
import { join } from "node:path";
import { chromium } from "playwright-core";
import { createDemo, DEMO_TOKEN, seedHour } from "../test/dashboard/support/demo.ts";
import { chromiumPath } from "../test/support/chromium.ts";

const out = process.argv[2] ?? join(import.meta.dir, "..", "docs", "dashboard.png");
const path = process.argv[3] ?? "/admin";
const demo = createDemo({ refreshMs: 0 });
await seedHour(demo.store);
demo.app.listen({ port: 0, hostname: "127.0.0.1" });
const base = `http://127.0.0.1:${demo.app.server!.port}`;
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name="token"]', DEMO_TOKEN);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/admin/`);
  await page.goto(`${base}${path}`);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await demo.app.stop();
}
