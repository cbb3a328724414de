import { type Static, type TSchema, Type } from "@sinclair/typebox";
import {
  type Backoff,
  defineJob,
  exponentialBackoff,
  type JobContext,
  type JobDefinition,
  type JobSpec,
  NonRetryableError,
} from "../jobs/index.ts";
import { MailDeliveryError, MailError, MailRateLimitedError } from "./errors.ts";
import type { Mailer, MailRequest } from "./mailer.ts";
import type { TemplateRegistry } from "./template.ts";
import type { Delivery } from "./transport.ts";

export const mailJobPayload = Type.Object({
  template: Type.String({ minLength: 1 }),
  to: Type.Array(Type.String(), { minItems: 1 }),
  props: Type.Unknown(),
  from: Type.Optional(Type.String()),
  replyTo: Type.Optional(Type.String()),
});
export type MailJobPayload = Static<typeof mailJobPayload>;

export interface MailJobOptions {
  /** The job's name in the store (default "mail.send"). */
  name?: string;
  /** Attempts before a mail is dead (default 10). */
  attempts?: number;
  /** Delay before a retry after a 5xx or network failure (default exponential from 1 s, capped at 15 min); a 429 always waits its retry-after. */
  backoff?: Backoff;
  timeoutMs?: number;
  queue?: string;
  /**
   * Prefix of the provider idempotency key, `<prefix>/<job id>-<enqueued at>`. Give each app sharing
   * a provider account its own, so two apps' job 42 never share a key (default "errand-mail").
   */
  keyPrefix?: string;
  /**
   * At most `max` mails of this job start per `perMs` across every instance sharing the job store
   * (defineJob's rateLimit), so several instances together stay under the provider's limit. Default
   * for defineMailJob: the transport's configured rate, evenly spaced with 10% headroom
   * (resendTransport's 5 per second, Resend's default team limit, gives `{ max: 1, perMs: 220 }`);
   * none for a transport without one, or with batching (one job is not one request there: the
   * transport's per-process token bucket paces the batch requests).
   * `false`: no limit.
   */
  rateLimit?: { max: number; perMs: number } | false;
}

/** The durable mail job of one mailer: register it with createJobs, queue through mailOutbox(job, jobs). */
export interface MailJob<R extends TemplateRegistry> extends JobDefinition<MailJobPayload> {
  /** The mailer that renders and sends this job's mails. */
  readonly mailer: Mailer<R>;
}

/** What sending from a job needs of its context: the job (for the key), the signal and the logger. */
export type MailJobContext = Pick<JobContext, "job" | "signal" | "logger">;

/**
 * The durable mail job: its payload is the mail request, validated when it was queued; the template
 * is rendered when the job runs (so the request path only validates and inserts a row).
 */
export function defineMailJob<R extends TemplateRegistry>(mailer: Mailer<R>, options: MailJobOptions = {}): MailJob<R> {
  // A batching sender puts many mails in one request: a limit on job starts would cap mails, not requests.
  const rateLimit = options.rateLimit ?? (mailer.sender.batching ? false : transportRateLimit(mailer.transport));
  const job = defineJob({
    name: options.name ?? "mail.send",
    payload: mailJobPayload,
    ...mailJobSpec({ ...options, rateLimit }),
    handler: async (payload, ctx) => {
      await sendMailFromJob(mailer, payload.template as keyof R & string, payload, ctx, options);
    },
  });
  return Object.freeze({ ...job, mailer });
}

/**
 * The retry policy of a mail job (attempts, a backoff that waits out a 429's retry-after, timeout,
 * queue), to spread into your own defineJob when a mail job's payload is not the mail itself: e.g. a
 * reference from which the handler builds the mail when it runs, so no secret sits in the job table.
 */
export function mailJobSpec(
  options: MailJobOptions = {},
): Pick<JobSpec<TSchema>, "attempts" | "backoff" | "timeoutMs" | "queue" | "rateLimit"> {
  return {
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    attempts: options.attempts ?? 10,
    backoff: retryAfterAware(options.backoff ?? exponentialBackoff({ baseMs: 1000, maxMs: 15 * 60_000 })),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
  };
}

/**
 * The transport's own per-process rate (its token bucket's configured requests per second) as a
 * store-wide job rate limit, evenly spaced as the bucket spaces its requests: one start per 1/rate.
 * `{ max: rate, perMs: 1000 }` would let one instance claim a whole second's mails at once, which its
 * own bucket then spreads over that second and into the next, on top of the next second's starts
 * elsewhere. The spacing has 10% headroom: the request follows its job's start after a render and a
 * scheduling delay that vary by some tens of ms (measured in test/mail/instances-rate.test.ts), and
 * at exactly 1/rate that jitter alone put a sixth request in a provider's second.
 */
function transportRateLimit(transport: Mailer<TemplateRegistry>["transport"]): { max: number; perMs: number } | false {
  const perSecond = (transport.limiter as { configuredPerSecond?: unknown } | undefined)?.configuredPerSecond;
  if (typeof perSecond !== "number" || !(perSecond > 0) || !Number.isFinite(perSecond)) return false;
  return { max: 1, perMs: Math.ceil(1100 / perSecond) };
}

/**
 * Renders template `name` and delivers it from inside a job handler, under an idempotency key derived
 * from the job (`<keyPrefix>/<job id>-<enqueued at>`), which stays the same on every retry and after
 * a crash: the provider delivers each queued mail once, as long as every attempt renders the same mail.
 * A refused mail or props that no longer match the template throw NonRetryableError (dead at once).
 */
export async function sendMailFromJob<R extends TemplateRegistry, K extends keyof R & string>(
  mailer: Mailer<R>,
  name: K,
  request: MailRequest<unknown>,
  ctx: MailJobContext,
  options: Pick<MailJobOptions, "keyPrefix"> = {},
): Promise<Delivery> {
  const idempotencyKey = `${options.keyPrefix ?? "errand-mail"}/${ctx.job.id}-${ctx.job.enqueuedAt.getTime()}`;
  try {
    const mail = await mailer.compose(name, request);
    const delivery = await mailer.sender.deliver(mail, { idempotencyKey, signal: ctx.signal });
    ctx.logger.info({ template: name, providerId: delivery.id }, "mail delivered");
    mailer.events.emit("sent", { template: name, recipients: mail.to.length, providerId: delivery.id });
    return delivery;
  } catch (error) {
    const retryable = !(error instanceof MailError) || (error instanceof MailDeliveryError && error.retryable);
    mailer.events.emit("failed", { template: name, retryable, error });
    // Retrying cannot fix a refused mail or props that no longer match the template: dead at once,
    // logged here once with the provider's message (the job keeps it as its last error).
    if (!retryable) {
      ctx.logger.error({ template: name, err: error }, `mail not deliverable: ${error.message}`);
      throw new NonRetryableError(error.message, { cause: error });
    }
    throw error;
  }
}

/** A 429 waits for the provider's retry-after (plus a little jitter so waiters do not return as one herd). */
function retryAfterAware(backoff: Backoff): Backoff {
  return (attempt, error) =>
    error instanceof MailRateLimitedError
      ? error.retryAfterMs + Math.round(Math.random() * 250)
      : backoff(attempt, error);
}
