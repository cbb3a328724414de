// What createJobs({ tracing }) takes, apart from tracing.ts so that importing errand does not load
// @opentelemetry/api: Jobs loads tracing.ts (and the API with it) only when tracing is on.
import type { TracerProvider } from "@opentelemetry/api";

export interface JobsTracingOptions {
  /** Default: the global provider (`trace.getTracerProvider()`), as registered by the SDK. */
  tracerProvider?: TracerProvider;
}

/** The instrumentation scope of Errand's spans. */
export const tracerName = "errand";
