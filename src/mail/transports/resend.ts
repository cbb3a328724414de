import type { Resend } from "resend";
import { MailConfigError, MailRateLimitedError } from "../errors.ts";
import { TokenBucket, type TokenBucketOptions } from "../rate-limiter.ts";
import type { Delivery, DeliveryOptions, MailTransport, OutgoingMail } from "../transport.ts";
import { classifyResendError, type ResendErrorResult, rateLimitReport } from "./classify-resend.ts";

export interface ResendTransportOptions {
  /** Defaults to RESEND_API_KEY (read by the SDK). */
  apiKey?: string;
  /** Defaults to RESEND_BASE_URL, else https://api.resend.com (read by the SDK). For tests and proxies. */
  baseUrl?: string;
  /** The shared token bucket, or options for one (default 5 requests/s). */
  rateLimit?: TokenBucket | TokenBucketOptions;
  /** A request without an answer by then counts as a network failure and is retried (default 10 s). */
  timeoutMs?: number;
}

type SdkResult<T> =
  | { data: T; error: null; headers: Record<string, string> | null }
  | {
      data: null;
      error: ResendErrorResult;
      headers: Record<string, string> | null;
    };

/**
 * Resend through its official SDK. Each request waits for a token from the shared bucket, carries
 * the caller's idempotency key, and feeds the `ratelimit-*` headers back to the bucket. The SDK is
 * loaded on the first request, so importing errand/mail does not need `resend` installed unless
 * this transport is used.
 */
export class ResendTransport implements MailTransport {
  readonly name = "resend";
  readonly maxBatchSize = 100;
  readonly limiter: TokenBucket;
  readonly #options: ResendTransportOptions;
  readonly #timeoutMs: number;
  #client: Promise<Resend> | undefined;

  constructor(options: ResendTransportOptions = {}) {
    // The SDK would only say so on the first send; a missing key is a configuration error, found at start.
    const apiKey = options.apiKey ?? (typeof process === "undefined" ? undefined : process.env.RESEND_API_KEY);
    if (!apiKey)
      throw new MailConfigError("The Resend transport needs an API key: pass `apiKey` or set RESEND_API_KEY.");
    this.#options = { ...options, apiKey };
    this.limiter = options.rateLimit instanceof TokenBucket ? options.rateLimit : new TokenBucket(options.rateLimit);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(mail: OutgoingMail, options: DeliveryOptions = {}): Promise<Delivery> {
    const result = await this.#request<{ id: string }>(options, (requestOptions) =>
      this.#sdk().then((client) => client.emails.send(toResend(mail), requestOptions)),
    );
    return { id: result.id };
  }

  async sendBatch(mails: readonly OutgoingMail[], options: DeliveryOptions = {}): Promise<Delivery[]> {
    if (mails.length > this.maxBatchSize)
      throw new RangeError(`A Resend batch holds at most ${this.maxBatchSize} mails, got ${mails.length}`);
    const result = await this.#request<{ data: { id: string }[] }>(options, (requestOptions) =>
      this.#sdk().then((client) => client.batch.send(mails.map(toResend), requestOptions)),
    );
    return result.data.map((entry) => ({ id: entry.id }));
  }

  #sdk(): Promise<Resend> {
    const { apiKey, baseUrl } = this.#options;
    this.#client ??= import("resend").then(
      ({ Resend }) => new Resend(apiKey, baseUrl === undefined ? undefined : { baseUrl }),
    );
    return this.#client;
  }

  async #request<T>(
    options: DeliveryOptions,
    call: (requestOptions: { idempotencyKey?: string; signal: AbortSignal }) => Promise<SdkResult<T>>,
  ): Promise<T> {
    if (!options.tokenTaken) await this.limiter.acquire(options.signal);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const result = await call(
      options.idempotencyKey === undefined ? { signal } : { idempotencyKey: options.idempotencyKey, signal },
    );
    // The SDK turns an abort into a network error; a caller's abort (shutdown) is not a delivery failure.
    if (options.signal?.aborted) throw options.signal.reason;
    this.limiter.observe(rateLimitReport(result.headers));
    if (result.error === null) return result.data;
    const error = classifyResendError(result.error, result.headers);
    if (error instanceof MailRateLimitedError) this.limiter.pauseFor(error.retryAfterMs);
    throw error;
  }
}

function toResend(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    ...(mail.replyTo === undefined ? {} : { replyTo: mail.replyTo }),
  };
}

export function resendTransport(options?: ResendTransportOptions): ResendTransport {
  return new ResendTransport(options);
}
