import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { Type } from "@sinclair/typebox";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob, type Jobs, type JobsOptions } from "../../src/jobs/index.ts";
import { memoryStore } from "../../src/stores/memory/index.ts";
import { recordingLogger } from "../support/recording-logger.ts";
import { until } from "./helpers.ts";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const appTracer = provider.getTracer("test-app");

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

const running: Jobs<never>[] = [];
afterEach(async () => {
  for (const jobs of running.splice(0)) await jobs.stop(AbortSignal.timeout(5_000));
  exporter.reset();
});

let failFirst = new Set<string>();
const sendMail = defineJob({
  name: "mail.send",
  queue: "mail",
  payload: Type.Object({ to: Type.String() }),
  backoff: () => 0,
  handler: async ({ to }, ctx) => {
    ctx.logger.info({ to }, "sending");
    // The handler's own span nests under the attempt's run span.
    await appTracer.startActiveSpan("smtp.send", async (span) => {
      await Bun.sleep(1);
      span.end();
    });
    if (failFirst.has(to) && ctx.attempt === 1) throw new Error("connection reset");
  },
});

async function start(options: Partial<JobsOptions<never>> = {}) {
  const jobs = createJobs({
    store: memoryStore(),
    jobs: [sendMail],
    pollIntervalMs: 20,
    tracing: { tracerProvider: provider },
    logger: silentLogger,
    ...options,
  });
  await jobs.start(new AbortController().signal);
  running.push(jobs);
  return jobs;
}

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("tracing", () => {
  test("request → enqueue span → run span → the handler's span: one trace", async () => {
    const lines = recordingLogger();
    const jobs = await start({ logger: lines });
    const request = appTracer.startSpan("POST /api/users/register", { kind: SpanKind.SERVER });
    const id = await context.with(trace.setSpan(context.active(), request), () =>
      jobs.enqueue(sendMail, { to: "ada@example.com" }),
    );
    request.end();
    await until(() => named("smtp.send").length === 1 && named("run mail.send").length === 1, "the run to end");

    const [enqueue] = named("enqueue mail.send");
    const [run] = named("run mail.send");
    const [smtp] = named("smtp.send");
    const traceId = request.spanContext().traceId;
    expect(enqueue!.spanContext().traceId).toBe(traceId);
    expect(enqueue!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(enqueue!)).toBe(request.spanContext().spanId);
    expect(enqueue!.attributes).toMatchObject({
      "messaging.system": "errand",
      "messaging.operation.type": "send",
      "messaging.destination.name": "mail",
      "messaging.message.id": id,
      "errand.job.name": "mail.send",
    });
    expect(run!.spanContext().traceId).toBe(traceId);
    expect(run!.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(run!)).toBe(enqueue!.spanContext().spanId);
    expect(run!.attributes).toMatchObject({
      "messaging.operation.type": "process",
      "messaging.message.id": id,
      "messaging.destination.name": "mail",
      "errand.job.attempt": 1,
      "errand.job.outcome": "succeeded",
    });
    expect(run!.status.code).toBe(SpanStatusCode.OK);
    expect(smtp!.spanContext().traceId).toBe(traceId);
    expect(parentOf(smtp!)).toBe(run!.spanContext().spanId);
    // The job's log lines carry the trace.
    const sending = lines.lines.find((line) => line.message === "sending")!;
    expect(sending.fields).toMatchObject({ jobId: id, traceId });
  });

  test("the enqueue span's context is stored with the job as W3C trace context, and handed back at claim", async () => {
    const store = memoryStore();
    const jobs = createJobs({ store, jobs: [sendMail], tracing: { tracerProvider: provider }, logger: silentLogger });
    const request = appTracer.startSpan("POST /x");
    await context.with(trace.setSpan(context.active(), request), () => jobs.enqueue(sendMail, { to: "x@example.com" }));
    request.end();
    const [claimed] = await store.claim({
      workerId: "w",
      limit: 1,
      now: Date.now(),
      leaseMs: 1000,
      names: ["mail.send"],
    });
    const [enqueue] = named("enqueue mail.send");
    const { traceId, spanId } = enqueue!.spanContext();
    expect(JSON.parse(claimed!.traceContext!)).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
  });

  test("every attempt is a run span of the same trace; a failed one records the error", async () => {
    failFirst = new Set(["retry@example.com"]);
    const jobs = await start();
    const request = appTracer.startSpan("POST /retry");
    await context.with(trace.setSpan(context.active(), request), () =>
      jobs.enqueue(sendMail, { to: "retry@example.com" }),
    );
    request.end();
    await until(() => named("run mail.send").length === 2, "two attempts");
    const runs = named("run mail.send").sort(
      (a, b) => Number(a.attributes["errand.job.attempt"]) - Number(b.attributes["errand.job.attempt"]),
    );
    const [enqueue] = named("enqueue mail.send");
    for (const run of runs) {
      expect(run.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(parentOf(run)).toBe(enqueue!.spanContext().spanId);
    }
    expect(runs[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: "connection reset" });
    expect(runs[0]!.events.map((e) => e.name)).toEqual(["exception"]);
    expect(runs[0]!.attributes["errand.job.outcome"]).toBe("failed");
    expect(runs[1]!.status.code).toBe(SpanStatusCode.OK);
    failFirst = new Set();
  });

  test("a job enqueued outside any trace starts its own; enqueueSync and batches are traced too", async () => {
    const jobs = await start();
    jobs.enqueueSync(sendMail, { to: "sync@example.com" });
    await jobs.enqueueMany(sendMail, [{ payload: { to: "a@example.com" } }, { payload: { to: "b@example.com" } }]);
    await until(() => named("run mail.send").length === 3, "three runs");
    const enqueues = named("enqueue mail.send");
    expect(enqueues).toHaveLength(2);
    expect(enqueues.every((span) => parentOf(span) === undefined)).toBe(true);
    const batch = enqueues.find((span) => span.attributes["messaging.batch.message_count"] === 2)!;
    const batchRuns = named("run mail.send").filter((run) => parentOf(run) === batch.spanContext().spanId);
    expect(batchRuns).toHaveLength(2);
  });

  test("tracing off: no span, no stored context, even with an SDK at hand", async () => {
    const store = memoryStore();
    const jobs = createJobs({ store, jobs: [sendMail], pollIntervalMs: 20, logger: silentLogger });
    await jobs.start(new AbortController().signal);
    running.push(jobs as Jobs<never>);
    const request = appTracer.startSpan("GET /");
    await context.with(trace.setSpan(context.active(), request), () =>
      jobs.enqueue(sendMail, { to: "off@example.com" }),
    );
    request.end();
    await until(async () => (await jobs.counts()).byState.succeeded === 1, "the job");
    expect(
      spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(["GET /", "smtp.send"]);
    const untraced = memoryStore();
    const plain = createJobs({ store: untraced, jobs: [sendMail], logger: silentLogger });
    await context.with(trace.setSpan(context.active(), request), () =>
      plain.enqueue(sendMail, { to: "y@example.com" }),
    );
    const [claimed] = await untraced.claim({
      workerId: "w",
      limit: 1,
      now: Date.now(),
      leaseMs: 1000,
      names: ["mail.send"],
    });
    expect(claimed!.traceContext).toBeNull();
  });
});
