// Mail benchmarks: template rendering (cold, uncached, cached) and delivery through the fake Resend
// server with its rate limit off and at 5 requests/s, single vs batch sends, next to the naive way
// (the resend SDK called directly, no limiter). Run: bun bench/mail.ts [--runs 3]
import { render } from "@react-email/render";
import { createElement } from "react";
import { Resend } from "resend";
import { Confirmation } from "../emails/confirmation.tsx";
import { emailTemplates } from "../emails/index.ts";
import {
  MailRenderer,
  MailSender,
  memoryDeliveryLedger,
  type OutgoingMail,
  ResendTransport,
} from "../src/mail/index.ts";
import { FakeResend } from "../test/support/fake-resend.ts";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const props = (i: number) => ({ displayName: `User ${i}`, confirmUrl: `https://app.example/confirm?token=${i}` });

async function coldRenderMs(): Promise<number> {
  const script = `const t0 = performance.now();
const { MailRenderer } = await import(${JSON.stringify(new URL("../src/mail/render.ts", import.meta.url).pathname)});
const { emailTemplates } = await import(${JSON.stringify(new URL("../emails/index.ts", import.meta.url).pathname)});
await new MailRenderer(emailTemplates).render("confirmation", { displayName: "A", confirmUrl: "https://a.example" });
console.log(performance.now() - t0);`;
  const child = Bun.spawnSync([process.execPath, "-e", script]);
  return Number(child.stdout.toString().trim());
}

async function rendersPerSecond(n: number, next: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await next(n + i); // warm-up: let the JIT settle before timing
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await next(i);
  return (n / (performance.now() - t0)) * 1000;
}

async function renderTable(): Promise<string[][]> {
  const cold: number[] = [];
  const uncached: number[] = [];
  const cached: number[] = [];
  const twoRenders: number[] = [];
  const fastText: number[] = [];
  for (let r = 0; r < runs; r++) {
    cold.push(await coldRenderMs());
    const fresh = new MailRenderer(emailTemplates, { cacheSize: 0 });
    await fresh.render("confirmation", props(0));
    uncached.push(await rendersPerSecond(500, (i) => fresh.render("confirmation", props(i))));
    const fast = new MailRenderer(emailTemplates, { cacheSize: 0, text: "fast" });
    await fast.render("confirmation", props(0));
    fastText.push(await rendersPerSecond(500, (i) => fast.render("confirmation", props(i))));
    const warm = new MailRenderer(emailTemplates);
    await warm.render("confirmation", props(0));
    cached.push(await rendersPerSecond(20_000, () => warm.render("confirmation", props(0))));
    twoRenders.push(
      await rendersPerSecond(500, async (i) => {
        const element = createElement(Confirmation, props(i));
        await render(element);
        await render(element, { plainText: true });
      }),
    );
  }
  return [
    ["rendering (confirmation template)", "result"],
    ["cold: first render in a fresh process (imports + React + html-to-text)", `${median(cold).toFixed(0)} ms`],
    ["Errand warm, distinct props (HTML once, text derived from it)", `${median(uncached).toFixed(0)} mails/s`],
    ["naive warm: render() for HTML + render({ plainText }) for text", `${median(twoRenders).toFixed(0)} mails/s`],
    ['Errand warm, distinct props, text: "fast" (React Email\'s converter)', `${median(fastText).toFixed(0)} mails/s`],
    ["Errand cached: same template + props (retries, preview reloads)", `${median(cached).toFixed(0)} mails/s`],
  ];
}

const mail = (i: number): OutgoingMail => ({
  from: "Errand <no-reply@errand.dev>",
  to: [`u${i}@example.com`],
  subject: "Hi",
  html: "<p>Hi</p>",
  text: "Hi",
});

interface DeliveryResult {
  mailsPerSecond: number;
  delivered: number;
  attempted: number;
  requests: number;
  violations: number;
  refused: number;
}

/** `count` mails, `waiting` at a time (as executors would), through a MailSender. */
async function deliver(
  limit: number | undefined,
  batch: boolean,
  count: number,
  waiting: number,
): Promise<DeliveryResult> {
  const fake = new FakeResend(limit ? { rateLimit: { limit } } : {});
  try {
    const transport = new ResendTransport({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      rateLimit: { perSecond: limit ?? 1_000_000, burst: limit ? 1 : 1_000_000 },
    });
    const sender = new MailSender(transport, batch ? { ledger: memoryDeliveryLedger(), concurrency: 4 } : undefined);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: waiting }, async () => {
        for (let i = next++; i < count; i = next++) await sender.deliver(mail(i), { idempotencyKey: `bench/${i}` });
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return {
      mailsPerSecond: count / seconds,
      delivered: fake.deliveries.length,
      attempted: count,
      requests: fake.requests.length,
      violations: fake.rateLimitViolations,
      refused: 0,
    };
  } finally {
    await fake.stop();
  }
}

/** The SDK called directly (with idempotency keys, like Errand), `waiting` at a time, no limiter: what happens without Errand. */
async function naive(limit: number | undefined, count: number, waiting: number): Promise<DeliveryResult> {
  const fake = new FakeResend(limit ? { rateLimit: { limit } } : {});
  try {
    const resend = new Resend(fake.apiKey, { baseUrl: fake.url });
    let next = 0;
    let refused = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: waiting }, async () => {
        for (let i = next++; i < count; i = next++) {
          const { error } = await resend.emails.send(mail(i), { idempotencyKey: `naive/${i}` });
          if (error) refused++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return {
      mailsPerSecond: fake.deliveries.length / seconds,
      delivered: fake.deliveries.length,
      attempted: count,
      requests: fake.requests.length,
      violations: fake.rateLimitViolations,
      refused,
    };
  } finally {
    await fake.stop();
  }
}

async function deliveryTable(): Promise<string[][]> {
  const rows: string[][] = [
    [
      "delivery through the fake Resend API (real SDK)",
      "mails delivered/s",
      "delivered / attempted",
      "requests",
      "rate-limit violations",
      "mails refused (429), lost without a retry",
    ],
  ];
  const cases: [string, () => Promise<DeliveryResult>][] = [
    ["limit off, naive SDK calls, 20 at a time", () => naive(undefined, 2000, 20)],
    ["limit off, Errand single sends, 20 waiting", () => deliver(undefined, false, 2000, 20)],
    ["limit off, Errand batch sends, 200 waiting", () => deliver(undefined, true, 5000, 200)],
    ["5 req/s, naive SDK calls, 20 at a time", () => naive(5, 60, 20)],
    ["5 req/s, Errand single sends, 20 waiting", () => deliver(5, false, 15, 20)],
    ["5 req/s, Errand batch sends, 200 waiting", () => deliver(5, true, 2000, 200)],
  ];
  for (const [name, run] of cases) {
    const results: DeliveryResult[] = [];
    for (let r = 0; r < runs; r++) results.push(await run());
    const m = median(results.map((x) => x.mailsPerSecond));
    const pick = results.find((x) => x.mailsPerSecond === m)!;
    rows.push([
      name,
      m.toFixed(1),
      `${pick.delivered} / ${pick.attempted}`,
      String(pick.requests),
      String(pick.violations),
      String(pick.refused),
    ]);
  }
  return rows;
}

function print(rows: string[][]): void {
  const [head, ...body] = rows;
  console.log(`| ${head!.join(" | ")} |`);
  console.log(`|${head!.map(() => "---").join("|")}|`);
  for (const row of body) console.log(`| ${row.join(" | ")} |`);
  console.log();
}

console.log(
  `# mail benchmark — ${new Date().toISOString()}, bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, median of ${runs}\n`,
);
print(await renderTable());
print(await deliveryTable());
