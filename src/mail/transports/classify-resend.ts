import { type MailDeliveryError, MailRateLimitedError, MailRejectedError, MailTransientError } from "../errors.ts";
import type { RateLimitReport } from "../rate-limiter.ts";

/** The error half of the resend SDK's `{ data, error, headers }` result. */
export interface ResendErrorResult {
  message: string;
  statusCode: number | null;
  name: string;
}

const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Turns the SDK's returned error (it never throws on HTTP errors) into a MailDeliveryError the job
 * can act on: 429 waits for retry-after; 5xx, 408, a concurrent request on the same idempotency key,
 * and no response at all (statusCode null: network error, timeout, dropped connection) retry with
 * backoff; every other 4xx (invalid address, unverified domain, bad key) cannot succeed on retry.
 */
export function classifyResendError(
  error: ResendErrorResult,
  headers: Record<string, string> | null,
): MailDeliveryError {
  const status = error.statusCode;
  const message = `Resend ${status ?? "request failed"} ${error.name}: ${error.message}`;
  if (status === 429) return new MailRateLimitedError(message, error.name, retryAfterMs(headers));
  if (status === null || status >= 500 || status === 408) return new MailTransientError(message, status, error.name);
  if (status === 409 && error.name === "concurrent_idempotent_requests")
    return new MailTransientError(message, status, error.name);
  if (status >= 400) return new MailRejectedError(message, status, error.name);
  return new MailTransientError(message, status, error.name);
}

/** `retry-after` is in seconds (or an HTTP date); `ratelimit-reset` is the fallback. */
export function retryAfterMs(headers: Record<string, string> | null): number {
  const retryAfter = headers?.["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  const reset = Number(headers?.["ratelimit-reset"]);
  return Number.isFinite(reset) && reset >= 0 ? reset * 1000 : DEFAULT_RETRY_AFTER_MS;
}

export function rateLimitReport(headers: Record<string, string> | null): RateLimitReport {
  const read = (name: string): number | undefined => {
    const value = headers?.[name];
    if (value === undefined) return undefined;
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  };
  return {
    limit: read("ratelimit-limit"),
    remaining: read("ratelimit-remaining"),
    resetSeconds: read("ratelimit-reset"),
  };
}
