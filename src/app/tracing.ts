// OpenTelemetry for the reference app, configured by the standard environment as the SDK reads it:
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) turns it on; the exporter's
// protocol (OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL: http/protobuf by default, http/json, grpc), headers,
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, and the batch processor's OTEL_BSP_* are read by the
// SDK itself. Without an endpoint no SDK starts, and the API stays the no-op it is.
import { opentelemetry } from "@elysiajs/opentelemetry";
import type { Context } from "@opentelemetry/api";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { NodeSDK } from "@opentelemetry/sdk-node";
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";

import { tracingRequested } from "./config.ts";

type Env = Record<string, string | undefined>;

export interface Tracing {
  /** Exports what is still buffered and stops the SDK (call after the host stopped). */
  shutdown(): Promise<void>;
}

/** Starts the SDK when the environment asks for it; null (nothing started) otherwise. */
export function startTracing(env: Env = process.env): Tracing | null {
  if (!tracingRequested(env)) return null;
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, wins: the SDK's environment detector reads it.
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: "errand-app" }),
    spanProcessors: [new RedactingSpanProcessor(), new BatchSpanProcessor(otlpExporter(env))],
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** The OTLP exporter for the configured protocol, as the SDK picks it when it builds its own. */
function otlpExporter(env: Env): SpanExporter {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    "http/protobuf"
  ).trim();
  if (protocol === "grpc") return new GrpcExporter();
  if (protocol === "http/json") return new JsonExporter();
  return new ProtobufExporter();
}

/** HTTP spans (@elysiajs/opentelemetry) for an app whose SDK is already registered. */
export function httpTracing() {
  return opentelemetry({ serviceName: "errand-app" });
}

/**
 * @elysiajs/opentelemetry 1.4 records every request header, the cookies and the request and response
 * bodies as span attributes: Authorization, session cookies, passwords sent to /api/users/register and
 * the tokens /api/auth/token answers would all leave for the trace backend. This processor runs first
 * and makes such attributes impossible to set on any span; headers are kept only when known harmless.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    const setAttribute = span.setAttribute.bind(span);
    span.setAttribute = (key, value) => (isSensitive(key) ? span : setAttribute(key, value));
    span.setAttributes = (attributes) => {
      for (const [key, value] of Object.entries(attributes)) if (value !== undefined) span.setAttribute(key, value);
      return span;
    };
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const keptHeaders = new Set([
  "content-type",
  "content-length",
  "accept",
  "user-agent",
  "x-request-id",
  "traceparent",
  "host",
]);

export function isSensitive(key: string): boolean {
  if (key === "http.request.body" || key === "http.response.body" || key === "http.request.cookie") return true;
  const header = key.match(/^http\.(?:request|response)\.header\.(.+)$/)?.[1];
  return header !== undefined && !keptHeaders.has(header);
}
