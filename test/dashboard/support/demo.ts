// A dashboard over a memory store with a believable last hour: the browser tests and the README
// screenshot (scripts/dashboard-screenshot.ts) use it.
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { dashboard, type TokenAuth, tokenAuth } from "../../../src/dashboard/index.ts";
import {
  type CronDefinition,
  type CronService,
  createCron,
  createJobs,
  defineCron,
  defineJob,
  type Jobs,
  type MemoryJobStore,
  memoryStore,
  silentLogger,
} from "../../../src/index.ts";

export const DEMO_TOKEN = "demo-admin-token-0123456789";

export const sendEmail = defineJob({
  name: "mail.send",
  queue: "mail",
  payload: Type.Object({ template: Type.String(), to: Type.Array(Type.String()), props: Type.Unknown() }),
  handler: () => {},
});
export const resizeImage = defineJob({
  name: "images.resize",
  queue: "media",
  payload: Type.Object({ imageId: Type.Integer(), sizes: Type.Array(Type.Integer()) }),
  handler: () => {},
});
export const syncInvoices = defineJob({
  name: "billing.sync-invoices",
  queue: "billing",
  payload: Type.Object({ accountId: Type.String() }),
  handler: () => {},
});
export const webhook = defineJob({
  name: "webhooks.deliver",
  payload: Type.Object({ url: Type.String(), event: Type.String(), body: Type.Unknown() }),
  handler: () => {},
});
export const pruneJobs = defineJob({ name: "jobs.prune", payload: Type.Object({}), handler: () => {} });

export const crons: CronDefinition[] = [
  defineCron({ name: "prune-jobs", schedule: "0 3 * * *", job: pruneJobs, payload: {} }),
  defineCron({
    name: "invoice-sync",
    schedule: "*/15 * * * *",
    timezone: "Europe/Berlin",
    job: syncInvoices,
    payload: { accountId: "all" },
  }),
];

export interface Demo {
  store: MemoryJobStore;
  jobs: Jobs;
  cron: CronService;
  auth: TokenAuth;
  app: Elysia;
}

/** Jobs and cron services (not started: nothing runs unless a test starts them) and the dashboard. */
export function createDemo(options: { refreshMs?: number } = {}): Demo {
  const store = memoryStore();
  const jobs = createJobs({
    store,
    jobs: [sendEmail, resizeImage, syncInvoices, webhook, pruneJobs],
    logger: silentLogger,
  });
  const cron = createCron({ jobs, crons, logger: silentLogger });
  const auth = tokenAuth({ token: DEMO_TOKEN });
  const app = new Elysia().use(
    dashboard({ jobs, cron, authorize: auth, logger: silentLogger, refreshMs: options.refreshMs ?? 3_000 }),
  );
  return { store, jobs, cron, auth, app: app as unknown as Elysia };
}

const minute = 60_000;

function failure(attempt: number, at: number, message: string, name = "Error") {
  return {
    attempt,
    at,
    name,
    message,
    stack: `${name}: ${message}\n    at deliver (src/webhooks/deliver.ts:42:11)\n    at process (src/jobs/attempt.ts:27:20)`,
    workerId: "web-1",
    durationMs: 180 + attempt * 37,
  };
}

/**
 * An hour of traffic written straight to the store, with times in the past: jobs that succeeded
 * minute by minute, retries, dead ones, some scheduled and waiting.
 */
export async function seedHour(store: MemoryJobStore, now = Date.now()): Promise<void> {
  let seed = 7;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  for (let m = 59; m >= 0; m--) {
    const at = now - m * minute;
    const wave = 30 + Math.round(25 * Math.sin(m / 7) + random() * 20);
    const batch = Array.from({ length: wave }, (_, i) => {
      const kind = i % 4;
      if (kind === 0)
        return {
          name: "images.resize",
          queue: "media",
          payload: { imageId: 1000 + m * 100 + i, sizes: [64, 256, 1024] },
        };
      if (kind === 1)
        return {
          name: "webhooks.deliver",
          queue: "default",
          payload: { url: "https://hooks.example.com/orders", event: "order.paid", body: { orderId: `o-${m}-${i}` } },
        };
      return {
        name: "mail.send",
        queue: "mail",
        payload: { template: "welcome", to: [`user${m}-${i}@example.com`], props: { name: `User ${i}` } },
      };
    });
    const enqueued = await store.enqueue(
      batch.map((job) => ({ ...job, priority: 0, runAt: at - 2_000, maxAttempts: 5, key: null })),
      { now: at - 2_000 },
    );
    const claimed = await store.claim({
      workerId: "web-1",
      limit: 1000,
      now: at - 1_000,
      leaseMs: 30_000,
      names: ["images.resize", "webhooks.deliver", "mail.send"],
    });
    const failing = claimed.filter((job) => job.name === "webhooks.deliver" && random() < 0.25);
    const ok = claimed.filter((job) => !failing.includes(job)).map((job) => job.id);
    await store.complete(ok, { workerId: "web-1", now: at });
    await store.fail(
      failing.map((job, i) => ({
        id: job.id,
        error: failure(job.attempt, at, "POST https://hooks.example.com/orders answered 503 Service Unavailable"),
        retryAt: i % 3 === 0 ? null : at + 5 * minute,
      })),
      { workerId: "web-1", now: at },
    );
    void enqueued;
  }
  // Waiting work: a backlog due a while ago, scheduled jobs, a running one.
  await store.enqueue(
    Array.from({ length: 14 }, (_, i) => ({
      name: "billing.sync-invoices",
      queue: "billing",
      payload: { accountId: `acct_${i}` },
      priority: 0,
      runAt: now - 95_000 + i * 1000,
      maxAttempts: 3,
      key: `invoices:acct_${i}`,
    })),
    { now: now - 95_000 },
  );
  await store.enqueue(
    Array.from({ length: 6 }, (_, i) => ({
      name: "mail.send",
      queue: "mail",
      payload: { template: "digest", to: [`weekly${i}@example.com`], props: {} },
      priority: 0,
      runAt: now + (i + 1) * 3_600_000,
      maxAttempts: 5,
      key: null,
    })),
    { now },
  );
}

/** Dead jobs of one name with an HTML payload, for the escaping checks. */
export async function seedDead(
  store: MemoryJobStore,
  count: number,
  payload: unknown = { to: ["x@example.com"] },
  now = Date.now(),
) {
  const ids = (
    await store.enqueue(
      Array.from({ length: count }, () => ({
        name: "mail.send",
        queue: "mail",
        payload,
        priority: 0,
        runAt: now - 1_000,
        maxAttempts: 1,
        key: null,
      })),
      { now: now - 1_000 },
    )
  ).map((r) => r.id);
  const claimed = await store.claim({ workerId: "w", limit: count, now, leaseMs: 30_000, names: ["mail.send"] });
  await store.fail(
    claimed.map((job) => ({ id: job.id, error: failure(1, now, "mailbox unavailable"), retryAt: null })),
    { workerId: "w", now },
  );
  return ids;
}
