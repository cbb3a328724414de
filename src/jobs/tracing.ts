// OpenTelemetry spans for jobs, on @opentelemetry/api only: the application brings the SDK (or none,
// and every call here is the API's no-op). `enqueue <name>` (producer) is the enqueue call; the trace
// context it creates is stored with each job, so `run <name>` (consumer, one per attempt) is its child
// on whichever instance claims the job, however many retries later, and is active while the handler
// runs so the handler's own spans nest under it.
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { ClaimedJob, NewJob } from "./store.ts";
import { type JobsTracingOptions, tracerName } from "./tracing-options.ts";

export class JobTracing {
  readonly #tracer: Tracer;

  constructor(options: JobsTracingOptions = {}) {
    // A ProxyTracer from the global provider follows an SDK registered after Errand was set up.
    this.#tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(tracerName);
  }

  /**
   * Runs `store` (the insert) inside an `enqueue <name>` span, child of the caller's active span (the
   * HTTP request), after stamping each row with the span's context so that its runs join this trace.
   */
  enqueue<T>(rows: readonly NewJob[], store: () => T): T {
    const first = rows[0];
    if (!first) return store();
    const span = this.#tracer.startSpan(`enqueue ${first.name}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "errand",
        "messaging.operation.type": "send",
        "messaging.operation.name": "enqueue",
        "messaging.destination.name": first.queue,
        "errand.job.name": first.name,
        ...(rows.length > 1 ? { "messaging.batch.message_count": rows.length } : {}),
      },
    });
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    const traceContext = Object.keys(carrier).length > 0 ? JSON.stringify(carrier) : null;
    for (const row of rows) row.traceContext = traceContext;
    const ended = (ids: unknown) => {
      if (rows.length === 1 && Array.isArray(ids) && typeof ids[0]?.id === "string")
        span.setAttribute("messaging.message.id", ids[0].id);
      span.end();
      return ids;
    };
    const failed = (error: unknown) => {
      fail(span, error);
      span.end();
      throw error;
    };
    try {
      const result = store();
      if (result instanceof Promise) return result.then(ended, failed) as T;
      return ended(result) as T;
    } catch (error) {
      return failed(error);
    }
  }

  /** Starts the `run <name>` span of one attempt, child of the context stored at enqueue. */
  run(job: ClaimedJob): { span: Span; context: Context } {
    const parent = parentOf(job.traceContext);
    const span = this.#tracer.startSpan(
      `run ${job.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "errand",
          "messaging.operation.type": "process",
          "messaging.operation.name": "run",
          "messaging.destination.name": job.queue,
          "messaging.message.id": job.id,
          "errand.job.name": job.name,
          "errand.job.attempt": job.attempt,
          "errand.job.max_attempts": job.maxAttempts,
        },
      },
      parent,
    );
    return { span, context: trace.setSpan(parent, span) };
  }

  /**
   * Runs one attempt inside its `run <name>` span, made active so the handler's spans nest under it;
   * `attempt` gets the span's trace id (for the job's log lines).
   */
  async attempt<O extends { kind: string; error?: unknown }>(
    job: ClaimedJob,
    attempt: (traceId: string | undefined) => Promise<O>,
  ): Promise<O> {
    const { span, context: active } = this.run(job);
    const outcome = await context.with(active, () => attempt(traceIdOf(span)));
    this.finish(span, outcome);
    return outcome;
  }

  /** Ends a run span with the attempt's outcome. */
  finish(span: Span, outcome: { kind: string; error?: unknown }): void {
    span.setAttribute("errand.job.outcome", outcome.kind);
    if (outcome.kind === "failed") fail(span, outcome.error);
    else if (outcome.kind === "succeeded") span.setStatus({ code: SpanStatusCode.OK });
    span.end();
  }
}

function fail(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The context a job was enqueued under; a job without one (enqueued untraced) starts a new trace. */
function parentOf(traceContext: string | null | undefined): Context {
  if (!traceContext) return ROOT_CONTEXT;
  try {
    const carrier = JSON.parse(traceContext) as Record<string, string>;
    return propagation.extract(ROOT_CONTEXT, carrier);
  } catch {
    return ROOT_CONTEXT;
  }
}

/** The trace id of an active, sampled-or-not span context; undefined for the no-op span. */
export function traceIdOf(span: Span): string | undefined {
  const { traceId } = span.spanContext();
  return /^0+$/.test(traceId) ? undefined : traceId;
}
