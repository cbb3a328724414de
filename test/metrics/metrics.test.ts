import { afterEach, describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { emailTemplates } from "../../emails/index.ts";
import { createChannel } from "../../src/channel/index.ts";
import { createCron, defineCron } from "../../src/cron/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob, exponentialBackoff, type Jobs, NonRetryableError } from "../../src/jobs/index.ts";
import { createMailer, defineMailJob, MailRejectedError, type MailTransport } from "../../src/mail/index.ts";
import { bearerTokens, errandMetrics, metricsRoute } from "../../src/metrics/index.ts";
import { memoryStore } from "../../src/stores/memory/index.ts";
import { until } from "../jobs/helpers.ts";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function started(jobs: Jobs<never>): Promise<Jobs<never>> {
  await jobs.start(new AbortController().signal);
  stops.push(() => jobs.stop(AbortSignal.timeout(5_000)));
  return jobs;
}

/** The value of one sample line, e.g. `errand_jobs_started_total{name="a",queue="default"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const attemptsBy = new Map<string, number>();
const flaky = defineJob({
  name: "flaky",
  queue: "work",
  payload: Type.Object({ id: Type.String(), fail: Type.Integer(), fatal: Type.Optional(Type.Boolean()) }),
  attempts: 3,
  backoff: () => 0,
  handler: ({ id, fail, fatal }) => {
    const n = (attemptsBy.get(id) ?? 0) + 1;
    attemptsBy.set(id, n);
    if (fatal) throw new NonRetryableError("no");
    if (n <= fail) throw new Error(`attempt ${n} fails`);
  },
});

describe("errandMetrics", () => {
  test("every job counts: enqueued, started, completed by outcome, durations and waits, without wrapping handlers", async () => {
    const jobs = createJobs({ store: memoryStore(), jobs: [flaky], logger: silentLogger, pollIntervalMs: 20 });
    const metrics = errandMetrics({ jobs });
    stops.push(async () => metrics.close());
    await started(jobs);
    await jobs.enqueue(flaky, { id: "ok", fail: 0 });
    await jobs.enqueue(flaky, { id: "retried", fail: 1 });
    await jobs.enqueue(flaky, { id: "dead", fail: 0, fatal: true });
    await jobs.enqueue(flaky, { id: "ok", fail: 0 }, { key: "k" });
    await jobs.enqueue(flaky, { id: "ok2", fail: 0 }, { key: "k" }); // same key: nothing stored
    await until(
      async () => (await jobs.counts()).byState.succeeded === 3 && (await jobs.counts()).byState.dead === 1,
      "jobs to finish",
    );
    const text = await metrics.metrics();
    const l = 'name="flaky",queue="work"';
    expect(sample(text, `errand_jobs_enqueued_total{${l}}`)).toBe(4);
    expect(sample(text, `errand_jobs_started_total{${l}}`)).toBe(5);
    expect(sample(text, `errand_jobs_completed_total{${l},outcome="succeeded"}`)).toBe(3);
    expect(sample(text, `errand_jobs_completed_total{${l},outcome="failed"}`)).toBe(1);
    expect(sample(text, `errand_jobs_completed_total{${l},outcome="dead"}`)).toBe(1);
    expect(sample(text, `errand_job_duration_seconds_count{${l}}`)).toBe(5);
    expect(sample(text, `errand_job_wait_seconds_count{${l}}`)).toBe(5);
    expect(sample(text, `errand_job_wait_seconds_bucket{le="+Inf",${l}}`)).toBe(5);
    expect(sample(text, 'errand_jobs{state="succeeded",name="flaky"}')).toBe(3);
    expect(sample(text, 'errand_jobs{state="dead",name="flaky"}')).toBe(1);
    expect(sample(text, 'errand_jobs{state="ready",name="flaky"}')).toBe(0);
    expect(sample(text, 'errand_channel_depth{channel="jobs"}')).toBe(0);
  });

  test("a cancelled job counts as outcome cancelled, and in errand_jobs by its state", async () => {
    const jobs = createJobs({ store: memoryStore(), jobs: [flaky], logger: silentLogger });
    const metrics = errandMetrics({ jobs, countsCacheMs: 0 });
    stops.push(async () => metrics.close());
    const id = await jobs.enqueue(flaky, { id: "c", fail: 0 }, { delayMs: 60_000 });
    expect(await jobs.cancel(id)).toBe(true);
    const text = await metrics.metrics();
    expect(sample(text, 'errand_jobs_completed_total{name="flaky",queue="work",outcome="cancelled"}')).toBe(1);
    expect(sample(text, 'errand_jobs{state="cancelled",name="flaky"}')).toBe(1);
  });

  test("close() detaches: the jobs service then builds no events for metrics", () => {
    const jobs = createJobs({ store: memoryStore(), jobs: [flaky], logger: silentLogger });
    const metrics = errandMetrics({ jobs });
    expect(jobs.events.listens("started")).toBe(true);
    metrics.close();
    for (const type of ["enqueued", "started", "succeeded", "failed", "dead", "cancelled"] as const)
      expect(jobs.events.listens(type)).toBe(false);
  });

  test("errand_jobs is read from the store and cached between scrapes", async () => {
    const jobs = createJobs({ store: memoryStore(), jobs: [flaky], logger: silentLogger });
    let reads = 0;
    const counting = {
      events: jobs.events,
      counts: () => {
        reads++;
        return jobs.counts();
      },
    };
    const metrics = errandMetrics({ jobs: counting, countsCacheMs: 60_000 });
    stops.push(async () => metrics.close());
    await jobs.enqueue(flaky, { id: "x", fail: 0 });
    expect(sample(await metrics.metrics(), 'errand_jobs{state="ready",name="flaky"}')).toBe(1);
    await jobs.enqueue(flaky, { id: "y", fail: 0 });
    expect(sample(await metrics.metrics(), 'errand_jobs{state="ready",name="flaky"}')).toBe(1);
    expect(reads).toBe(1);
  });

  test("channel depth of in-memory channels, by channel", async () => {
    const channel = createChannel<number>({ capacity: 10 });
    channel.writer.tryWrite(1);
    channel.writer.tryWrite(2);
    const metrics = errandMetrics({ channels: { analytics: channel, other: () => 7 } });
    const text = await metrics.metrics();
    expect(sample(text, 'errand_channel_depth{channel="analytics"}')).toBe(2);
    expect(sample(text, 'errand_channel_depth{channel="other"}')).toBe(7);
  });

  test("cron runs by cron and outcome, and skipped ticks", async () => {
    const nightly = defineCron({ name: "nightly", schedule: "0 3 * * *", handler: () => {} });
    const jobs = createJobs({
      store: memoryStore(),
      jobs: [nightly.job, flaky],
      logger: silentLogger,
      pollIntervalMs: 20,
    });
    const cron = createCron({ jobs, crons: [nightly], logger: silentLogger });
    const metrics = errandMetrics({ jobs, cron });
    stops.push(async () => metrics.close());
    await started(jobs);
    await cron.trigger("nightly");
    await jobs.enqueue(flaky, { id: "not-a-cron", fail: 0 });
    await until(async () => (await jobs.counts()).byState.succeeded === 2, "runs to finish");
    cron.events.emit("skipped", "nightly", { ticks: [1, 2], unfinishedJobId: "1" });
    const text = await metrics.metrics();
    expect(sample(text, 'errand_cron_runs_total{cron="nightly",outcome="succeeded"}')).toBe(1);
    expect(sample(text, 'errand_cron_runs_total{cron="nightly",outcome="skipped"}')).toBe(2);
    expect(text).not.toContain('cron="not-a-cron"');
  });

  test("mail sent by template and outcome: sent, failed (retried), rejected", async () => {
    let refuse: "retry" | "reject" | null = "retry";
    const memory: MailTransport = {
      name: "flaky",
      maxBatchSize: 1,
      async send() {
        if (refuse === "retry") {
          refuse = null;
          throw new Error("socket hang up");
        }
        if (refuse === "reject") throw new MailRejectedError("invalid recipient", 422, "validation_error");
        return { id: "m-1" };
      },
      async sendBatch() {
        throw new Error("unused");
      },
    };
    const mailer = createMailer({ templates: emailTemplates, transport: memory, from: "a@example.com" });
    const mailJob = defineMailJob(mailer, { backoff: exponentialBackoff({ baseMs: 1, maxMs: 1 }) });
    const jobs = createJobs({ store: memoryStore(), jobs: [mailJob], logger: silentLogger, pollIntervalMs: 20 });
    const metrics = errandMetrics({ jobs, mailer });
    stops.push(async () => metrics.close());
    await started(jobs);
    const props = emailTemplates.welcome.previewProps;
    await jobs.enqueue(mailJob, { template: "welcome", to: ["a@example.com"], props });
    await until(async () => (await jobs.counts()).byState.succeeded === 1, "the mail to go");
    refuse = "reject";
    await expect(mailer.send("welcome", { to: "b@example.com", props })).rejects.toThrow(MailRejectedError);
    const text = await metrics.metrics();
    expect(sample(text, 'errand_mail_sent_total{template="welcome",outcome="failed"}')).toBe(1);
    expect(sample(text, 'errand_mail_sent_total{template="welcome",outcome="sent"}')).toBe(1);
    expect(sample(text, 'errand_mail_sent_total{template="welcome",outcome="rejected"}')).toBe(1);
  }, 30_000);

  test("every metric name is exported from the start, with help text", async () => {
    const jobs = createJobs({ store: memoryStore(), jobs: [flaky], logger: silentLogger });
    const text = await errandMetrics({ jobs }).metrics();
    for (const name of [
      "errand_jobs_enqueued_total",
      "errand_jobs_started_total",
      "errand_jobs_completed_total",
      "errand_job_duration_seconds",
      "errand_job_wait_seconds",
      "errand_jobs",
      "errand_channel_depth",
      "errand_cron_runs_total",
      "errand_mail_sent_total",
    ])
      expect(text).toContain(`# HELP ${name} `);
  });
});

describe("prom-client loading", () => {
  test("importing errand/metrics and creating the metrics load no prom-client; the first scrape does", () => {
    // A fresh process: this one loaded prom-client already. prom-client is CommonJS, so it shows in require.cache.
    const script = `
      const loaded = () => Object.keys(require.cache).some((path) => path.includes("/node_modules/prom-client/"));
      const { errandMetrics } = await import("errand/metrics");
      const metrics = errandMetrics({ channels: { c: () => 3 } });
      const before = loaded();
      const text = await metrics.metrics();
      console.log(JSON.stringify({ before, after: loaded(), depth: text.includes('errand_channel_depth{channel="c"} 3') }));`;
    const child = Bun.spawnSync(["bun", "-e", script], { cwd: new URL("../..", import.meta.url).pathname });
    expect(child.stderr.toString()).toBe("");
    expect(JSON.parse(child.stdout.toString())).toEqual({ before: false, after: true, depth: true });
  });

  test("given the app's registry, the metrics are in it at once, beside the app's own", async () => {
    const { Counter, Registry } = await import("prom-client");
    const registry = new Registry();
    new Counter({ name: "app_requests_total", help: "the app's own", registers: [registry] });
    const metrics = errandMetrics({ registry });
    expect(await metrics.registry()).toBe(registry);
    const text = await registry.metrics();
    expect(text).toContain("# TYPE app_requests_total counter");
    expect(text).toContain("# TYPE errand_jobs gauge");
    expect(text).toContain("# TYPE errand_cron_runs_total counter");
    expect(text).toContain("# TYPE errand_job_wait_seconds histogram");
    // A second set in the same registry is refused by name, as prom-client's own metrics are.
    expect(() => errandMetrics({ registry })).toThrow("errand_jobs_enqueued_total");
  });

  test("without one, the metrics make a registry of their own once", async () => {
    const metrics = errandMetrics({});
    const [first, second] = await Promise.all([metrics.registry(), metrics.registry()]);
    expect(first).toBe(second);
    expect(await first.metrics()).toContain("# TYPE errand_channel_depth gauge");
    expect(metrics.contentType).toBe(first.contentType);
  });
});

describe("metricsRoute", () => {
  test("serves the text format; with bearerTokens, either token and nothing else", async () => {
    const metrics = errandMetrics({});
    const app = new Elysia().use(
      metricsRoute(metrics, { authorize: bearerTokens("metrics-token", undefined, "admin-token") }),
    );
    const get = (authorization?: string) =>
      app.handle(new Request("http://localhost/metrics", authorization ? { headers: { authorization } } : {}));
    const refused = await get();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "unauthorized", message: "A valid bearer token is required." });
    expect((await get("Bearer nope")).status).toBe(401);
    for (const token of ["metrics-token", "admin-token"]) {
      const ok = await get(`Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-type")).toStartWith("text/plain");
      expect(await ok.text()).toContain("errand_jobs_started_total");
    }
    const open = new Elysia().use(metricsRoute(metrics, { authorize: bearerTokens(undefined) }));
    expect((await open.handle(new Request("http://localhost/metrics"))).status).toBe(200);
  });
});

describe("series kept outside prom-client", () => {
  test("a histogram's buckets are cumulative, with +Inf, sum and count, in the text format", async () => {
    const { Registry } = await import("prom-client");
    const { FastHistogram } = await import("../../src/metrics/series.ts");
    const registry = new Registry();
    const histogram = new FastHistogram("x_seconds", "x", [1, 0.1]).registerIn(registry);
    for (const value of [0.05, 0.1, 0.5, 2]) histogram.observe("k", () => ({ name: "a" }), value);
    const text = await registry.metrics();
    expect(sample(text, 'x_seconds_bucket{le="0.1",name="a"}')).toBe(2);
    expect(sample(text, 'x_seconds_bucket{le="1",name="a"}')).toBe(3);
    expect(sample(text, 'x_seconds_bucket{le="+Inf",name="a"}')).toBe(4);
    expect(sample(text, 'x_seconds_sum{name="a"}')).toBeCloseTo(2.65);
    expect(sample(text, 'x_seconds_count{name="a"}')).toBe(4);
    expect(text).toContain("# TYPE x_seconds histogram");
  });
});

describe("a store that cannot be read", () => {
  test("the scrape goes on without errand_jobs, errand_store_up says 0, and the failure is logged", async () => {
    const warnings: unknown[] = [];
    const logger = { ...silentLogger, warn: (fields: object) => void warnings.push(fields), child: () => logger };
    let down = true;
    const jobs = {
      events: new EventTarget() as never,
      counts: async () => {
        if (down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        return { byState: {} as never, byName: { a: { ready: 2 } as never } };
      },
    };
    const metrics = errandMetrics({ jobs, countsCacheMs: 0, logger });
    const text = await metrics.metrics();
    expect(text).toContain("errand_store_up 0");
    expect(text).not.toContain("errand_jobs{");
    expect(text).toContain("errand_jobs_enqueued_total");
    expect(warnings).toHaveLength(1);
    down = false;
    const recovered = await metrics.metrics();
    expect(recovered).toContain("errand_store_up 1");
    expect(recovered).toContain('errand_jobs{state="ready",name="a"} 2');
  });
});
