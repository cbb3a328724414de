// One trace from an HTTP request into its job on another process, on PostgreSQL: process A (a web
// process, tracing on) enqueues inside the request's span; process B (a worker on the same schema,
// tracing on) runs the job, twice (the first attempt fails). Both export over OTLP/HTTP to a local
// receiver. The trace context travels only through the jobs table: A and B share nothing else.
import "../support/postgres.ts";
import { afterAll, expect, test } from "bun:test";
import { type ReceivedSpan, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { pgInstances } from "../support/pg-instances.ts";
import { waitForOutput } from "../support/process.ts";

const web = new URL("./fixtures/traced-web.ts", import.meta.url).pathname;
const worker = new URL("./fixtures/traced-worker.ts", import.meta.url).pathname;
const { start, children } = pgInstances("trace");
const receiver = startOtlpReceiver();
afterAll(() => receiver.stop());

/** OTLP's SpanKind numbering (the API's plus one). */
const kind = { server: 2, producer: 4, consumer: 5 } as const;

const otel = (service: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_SERVICE_NAME: service,
  OTEL_BSP_SCHEDULE_DELAY: "50",
});

/** The ids of a span's parent, its parent's parent, … as far as the received spans go. */
function ancestors(spans: readonly ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const ids: string[] = [];
  for (let parent = span.parentSpanId; parent !== undefined; parent = byId.get(parent)?.parentSpanId) {
    if (ids.includes(parent)) break;
    ids.push(parent);
  }
  return ids;
}

test("the request's trace continues into the job's run spans on another process, retry included", async () => {
  // B first: it migrates the schema and waits for work; A only enqueues.
  await start(worker, ["worker"], otel("errand-worker"));
  const [a] = await start(web, ["web"], otel("errand-web"));
  const [line] = (await waitForOutput(a!, (lines) => lines.some((l) => l.startsWith("{")))).filter((l) =>
    l.startsWith("{"),
  );
  const { url } = JSON.parse(line!) as { url: string };

  // The caller's own trace: A continues it (W3C traceparent), so every span below must carry its id.
  const traceId = crypto.getRandomValues(new Uint8Array(16)).toHex();
  const callerSpanId = crypto.getRandomValues(new Uint8Array(8)).toHex();
  const response = await fetch(new URL("/orders", url), {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: `00-${traceId}-${callerSpanId}-01` },
    body: JSON.stringify({ order: "order-42" }),
  });
  expect(response.status).toBe(200);
  const { id } = (await response.json()) as { id: string };

  const spans = await receiver.until(
    (all) =>
      all.filter((s) => s.name === "carrier.book").length === 2 &&
      all.some((s) => s.name === "POST /orders") &&
      all.some((s) => s.name === "enqueue orders.ship"),
  );
  const one = (name: string): ReceivedSpan => {
    const found = spans.filter((s) => s.name === name);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const request = one("POST /orders");
  const enqueue = one("enqueue orders.ship");
  const runs = spans
    .filter((s) => s.name === "run orders.ship")
    .sort((x, y) => Number(x.attributes["errand.job.attempt"]) - Number(y.attributes["errand.job.attempt"]));

  // A: the request span continues the caller's trace; the producer span is under it (below the
  // handler span that @elysiajs/opentelemetry opens between the two).
  expect(request).toMatchObject({ service: "errand-web", traceId, kind: kind.server, parentSpanId: callerSpanId });
  expect(enqueue).toMatchObject({ service: "errand-web", traceId, kind: kind.producer });
  expect(ancestors(spans, enqueue)).toContain(request.spanId);
  expect(enqueue.attributes["messaging.message.id"]).toBe(id);

  // B: each attempt's run span is a child of A's producer span, in the same trace.
  expect(runs).toHaveLength(2);
  for (const [index, run] of runs.entries()) {
    expect(run).toMatchObject({ service: "errand-worker", traceId, kind: kind.consumer, parentSpanId: enqueue.spanId });
    expect(run.attributes).toMatchObject({
      "messaging.message.id": id,
      "errand.job.attempt": index + 1,
      "errand.job.outcome": index === 0 ? "failed" : "succeeded",
    });
  }
  // The handler's own spans nest under their attempt's run span.
  const booked = spans.filter((s) => s.name === "carrier.book").map((s) => [s.traceId, s.parentSpanId]);
  expect(booked.sort()).toEqual(runs.map((run) => [traceId, run.spanId] as [string, string]).sort());

  for (const child of children) child.kill("SIGTERM");
  expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0]);
}, 60_000);
