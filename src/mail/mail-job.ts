import { type Static, Type } from "@sinclair/typebox";
import {
  type Backoff,
  defineJob,
  exponentialBackoff,
  type JobContext,
  type JobDefinition,
  NonRetryableError,
} from "../jobs/index.ts";
import { MailDeliveryError, MailError, MailRateLimitedError } from "./errors.ts";
import type { MailEvents } from "./events.ts";
import type { MailRequest } from "./mailer.ts";
import type { MailSender } from "./sender.ts";
import type { OutgoingMail } from "./transport.ts";

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
}

/** What the job needs from the mailer: composing a queued mail again and the sender. */
export interface MailComposer {
  compose(template: string, request: MailRequest<unknown>): Promise<OutgoingMail>;
  readonly sender: MailSender;
  /** Where each mail's outcome is reported (the Mailer's events). */
  readonly events?: MailEvents;
}

/**
 * The durable mail job: renders the template when it runs (so the request path only validates and
 * inserts a row) and delivers under a key derived from the job, which stays the same on every retry
 * and after a crash: the provider delivers each queued mail once.
 */
export function defineMailJob(mailer: MailComposer, options: MailJobOptions = {}): JobDefinition<MailJobPayload> {
  const keyPrefix = options.keyPrefix ?? "errand-mail";
  return defineJob({
    name: options.name ?? "mail.send",
    payload: mailJobPayload,
    attempts: options.attempts ?? 10,
    backoff: retryAfterAware(options.backoff ?? exponentialBackoff({ baseMs: 1000, maxMs: 15 * 60_000 })),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
    handler: (payload, ctx) =>
      runMailJob(mailer, payload, ctx, `${keyPrefix}/${ctx.job.id}-${ctx.job.enqueuedAt.getTime()}`),
  });
}

async function runMailJob(
  mailer: MailComposer,
  payload: MailJobPayload,
  ctx: JobContext,
  idempotencyKey: string,
): Promise<void> {
  try {
    const mail = await mailer.compose(payload.template, payload);
    const delivery = await mailer.sender.deliver(mail, { idempotencyKey, signal: ctx.signal });
    ctx.logger.info({ template: payload.template, providerId: delivery.id }, "mail delivered");
    mailer.events?.emit("sent", { template: payload.template, recipients: mail.to.length, providerId: delivery.id });
  } catch (error) {
    const retryable = !(error instanceof MailError) || (error instanceof MailDeliveryError && error.retryable);
    mailer.events?.emit("failed", { template: payload.template, retryable, error });
    // Retrying cannot fix a refused mail or props that no longer match the template: dead at once,
    // logged here once with the provider's message (the job keeps it as its last error).
    if (!retryable) {
      ctx.logger.error({ template: payload.template, err: error }, `mail not deliverable: ${error.message}`);
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
