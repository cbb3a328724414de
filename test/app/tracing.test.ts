// The app with an SDK registered and an in-memory exporter: HTTP spans from @elysiajs/opentelemetry,
// job spans from Errand, one trace from the request into its job, and nothing secret in the spans.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { isSensitive, RedactingSpanProcessor } from "../../src/app/tracing.ts";
import { ADMIN_TOKEN, eventually, postJson, startTestApp, type TestApp } from "./support/harness.ts";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({
  spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
let t: TestApp;

beforeAll(async () => {
  // What main.ts's startTracing does, with an exporter the test can read.
  provider.register();
  t = await startTestApp({ ADMIN_TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
});
afterAll(async () => {
  await t.stop();
  await provider.shutdown();
  trace.disable();
});

const spans = () => exporter.getFinishedSpans();
const byName = (name: string) => spans().filter((span) => span.name === name);

describe("tracing in the app", () => {
  test("a register request's span and its mail job's enqueue span: one trace; the job runs in a run span", async () => {
    const password = "correct horse battery staple";
    const response = await t.request(
      "/api/users/register",
      postJson({ email: "traced@example.com", password, displayName: "Tracy" }),
    );
    expect(response.status).toBe(201);
    const run = await eventually(async () => byName("run app.confirmation-mail").at(0));
    const [server] = spans().filter(
      (span) => span.kind === SpanKind.SERVER && span.name.includes("/api/users/register"),
    );
    expect(server).toBeDefined();
    const [enqueue] = byName("enqueue app.confirmation-mail");
    const traceId = server!.spanContext().traceId;
    expect(enqueue!.spanContext().traceId).toBe(traceId);
    expect(t.transport.to("traced@example.com")).toHaveLength(1);
    // The job's log lines carry the trace of its run.
    const jobLine = t.logs.map((line) => JSON.parse(line)).find((l) => l.job === "app.confirmation-mail" && l.traceId);
    expect(jobLine?.traceId).toBe(run.spanContext().traceId);
    // Nothing secret reached a span: no body (the password), no token, no cookie.
    expectNoSecrets(spans(), [password]);
  });

  test("a token request: the answer's tokens and the Authorization header stay out of the spans", async () => {
    const before = spans().length;
    await t.request("/api/admin/queues", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await t.request("/admin/jobs", { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, cookie: "errand_session=x" } });
    // The HTTP span ends after the response is handed over.
    await eventually(async () =>
      spans()
        .slice(before)
        .filter((s) => s.kind === SpanKind.SERVER).length >= 2
        ? true
        : undefined,
    );
    const fresh = spans().slice(before);
    expectNoSecrets(fresh, [ADMIN_TOKEN, "errand_session"]);
  });

  test("the redaction list", () => {
    for (const key of [
      "http.request.body",
      "http.response.body",
      "http.request.cookie",
      "http.request.header.authorization",
      "http.request.header.cookie",
      "http.response.header.set-cookie",
      "http.request.header.x-api-key",
    ])
      expect(isSensitive(key)).toBe(true);
    for (const key of ["http.request.header.user-agent", "http.route", "http.response.status_code", "url.path"])
      expect(isSensitive(key)).toBe(false);
  });
});

function expectNoSecrets(found: readonly ReadableSpan[], secrets: readonly string[]): void {
  for (const span of found) {
    const text = JSON.stringify(span.attributes);
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const key of Object.keys(span.attributes)) expect(isSensitive(key)).toBe(false);
  }
}
