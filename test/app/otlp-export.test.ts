// The app as a process, configured by the standard OTEL_* variables, exporting to a local OTLP/HTTP
// JSON receiver; and without them, no SDK at all.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProxyTracerProvider, trace } from "@opentelemetry/api";
import { startTracing } from "../../src/app/tracing.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { type Child, listeningUrl, spawnChild } from "../support/process.ts";

const dir = mkdtempSync(join(tmpdir(), "errand-otlp-"));
const children: Child[] = [];
const receiver = startOtlpReceiver();
afterAll(() => {
  for (const child of children) child.proc.kill("SIGKILL");
  receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("OTLP export", () => {
  test("OTEL_EXPORTER_OTLP_ENDPOINT on: the register request and its mail job's spans reach the collector", async () => {
    const child = spawnChild(["bun", "src/main.ts"], {
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "test",
      DATABASE_URL: join(dir, "app.sqlite"),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "errand-otlp-test",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    });
    children.push(child);
    const url = await listeningUrl(child);
    const response = await fetch(`${url}/api/users/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "otlp@example.com", password: "long enough pw", displayName: "O" }),
    });
    expect(response.status).toBe(201);
    const spans = await receiver.until(
      (all) =>
        all.some((s) => s.name === "run app.confirmation-mail") &&
        all.some((s) => s.name === "POST /api/users/register"),
    );
    const server = spans.find((s) => s.name === "POST /api/users/register")!;
    const enqueue = spans.find((s) => s.name === "enqueue app.confirmation-mail")!;
    const run = spans.find((s) => s.name === "run app.confirmation-mail")!;
    expect(server.service).toBe("errand-otlp-test");
    expect(enqueue.traceId).toBe(server.traceId);
    expect(run.attributes).toMatchObject({ "messaging.system": "errand", "errand.job.attempt": 1 });
    expect(JSON.stringify(server.attributes)).not.toContain("long enough pw");
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 60_000);

  test("without the variable no SDK starts: the API stays a no-op", () => {
    expect(startTracing({ OTEL_SERVICE_NAME: "x" })).toBeNull();
    expect(startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_SDK_DISABLED: "true" })).toBeNull();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegateTracer("errand")).toBeUndefined();
  });
});
