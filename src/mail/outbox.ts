import type { EnqueueJobOptions, Jobs } from "../jobs/index.ts";
import type { MailJob, MailJobPayload } from "./mail-job.ts";
import type { Mailer, MailRequest } from "./mailer.ts";
import type { PropsOf, TemplateRegistry } from "./template.ts";
import type { Delivery, DeliveryOptions } from "./transport.ts";

export type MailEnqueueOptions<Tx> = EnqueueJobOptions & {
  /** The caller's transaction: the mail is queued only if the business write commits. */
  tx?: Tx;
};

/**
 * A mail job bound to the jobs service that runs it: `enqueue` is what request handlers call. It
 * validates props and recipients at the call site (a typed error, nothing queued), then inserts one job.
 */
export class MailOutbox<R extends TemplateRegistry, Tx> {
  constructor(
    readonly job: MailJob<R>,
    readonly jobs: Jobs<Tx>,
  ) {}

  get mailer(): Mailer<R> {
    return this.job.mailer;
  }

  /** Sends now, without a job (see Mailer.send). */
  send<K extends keyof R & string>(
    name: K,
    request: MailRequest<PropsOf<R, K>>,
    options?: DeliveryOptions,
  ): Promise<Delivery> {
    return this.mailer.send(name, request, options);
  }

  /** Queues the mail as a durable job; returns the job id. */
  async enqueue<K extends keyof R & string>(
    name: K,
    request: MailRequest<PropsOf<R, K>>,
    options: MailEnqueueOptions<Tx> = {},
  ): Promise<string> {
    return this.jobs.enqueue(this.job, this.#payload(name, request), options);
  }

  /**
   * The same, synchronously: the only correct form inside a bun:sqlite (drizzle) transaction, whose
   * callback must not await. Throws SyncEnqueueUnsupportedError on stores that cannot (PostgreSQL).
   */
  enqueueSync<K extends keyof R & string>(
    name: K,
    request: MailRequest<PropsOf<R, K>>,
    options: MailEnqueueOptions<Tx> = {},
  ): string {
    return this.jobs.enqueueSync(this.job, this.#payload(name, request), options);
  }

  #payload<K extends keyof R & string>(name: K, request: MailRequest<PropsOf<R, K>>): MailJobPayload {
    const checked = this.mailer.check(name, request);
    return {
      template: name,
      to: typeof checked.to === "string" ? [checked.to] : [...checked.to],
      props: checked.props,
      ...(checked.from === undefined ? {} : { from: checked.from }),
      ...(checked.replyTo === undefined ? {} : { replyTo: checked.replyTo }),
    };
  }
}

/** Queues mails of `job` (from defineMailJob) through `jobs`, whose definitions must include `job`. */
export function mailOutbox<R extends TemplateRegistry, Tx>(job: MailJob<R>, jobs: Jobs<Tx>): MailOutbox<R, Tx> {
  return new MailOutbox(job, jobs);
}
