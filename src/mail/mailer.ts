import { MailConfigError, MailDeliveryError, MailError } from "./errors.ts";
import { MailEvents } from "./events.ts";
import { normalizeRecipients } from "./recipients.ts";
import { MailRenderer, type RenderedMail, type RendererOptions } from "./render.ts";
import { type BatchingOptions, MailSender } from "./sender.ts";
import type { PropsOf, TemplateRegistry } from "./template.ts";
import type { Delivery, DeliveryOptions, MailTransport, OutgoingMail } from "./transport.ts";

/** Who gets template `K` and with which props; `from`/`replyTo` override the mailer's defaults. */
export interface MailRequest<P> {
  to: string | readonly string[];
  props: P;
  from?: string;
  replyTo?: string;
}

export interface MailerOptions<R extends TemplateRegistry> {
  templates: R;
  transport: MailTransport;
  /** The default sender, e.g. `"Errand <no-reply@example.com>"` (the app reads MAIL_FROM). */
  from: string;
  replyTo?: string;
  render?: RendererOptions;
  /**
   * Send queued mails that wait at the same time in one batch request (Resend: up to 100). Needs a
   * delivery ledger, which keeps batching exactly-once across retries and crashes.
   */
  batching?: BatchingOptions;
}

/**
 * Renders typed templates and hands them to a transport; it knows nothing of jobs. `send` delivers
 * now (and throws the transport's MailDeliveryError). The queued path is built from a mailer:
 * `defineMailJob(mailer)` is the durable job that sends, `mailOutbox(job, jobs).enqueue(...)` (or
 * `ctx.mail.enqueue` from the Elysia plugin) queues; that is what a request handler should use, so
 * the response never waits on the provider.
 */
export class Mailer<R extends TemplateRegistry> {
  readonly transport: MailTransport;
  readonly renderer: MailRenderer<R>;
  readonly from: string;
  /** Delivers queued mails (batching them when configured). */
  readonly sender: MailSender;
  /** `sent` and `failed` for every mail sent now or from a job (sendMailFromJob), in this process. */
  readonly events = new MailEvents();
  readonly #replyTo: string | undefined;

  constructor(options: MailerOptions<R>) {
    if (!options.from)
      throw new MailConfigError("The mailer needs a sender address: pass `from` (the app reads MAIL_FROM).");
    normalizeRecipients(options.from);
    this.transport = options.transport;
    this.renderer = new MailRenderer(options.templates, options.render);
    this.from = options.from;
    this.#replyTo = options.replyTo;
    this.sender = new MailSender(options.transport, options.batching);
  }

  get templates(): R {
    return this.renderer.templates;
  }

  /** Validates, renders and sends template `name` now. */
  async send<K extends keyof R & string>(
    name: K,
    request: MailRequest<PropsOf<R, K>>,
    options?: DeliveryOptions,
  ): Promise<Delivery> {
    try {
      const mail = await this.compose(name, request);
      const delivery = await this.transport.send(mail, options);
      this.events.emit("sent", { template: name, recipients: mail.to.length, providerId: delivery.id });
      return delivery;
    } catch (error) {
      const retryable = !(error instanceof MailError) || (error instanceof MailDeliveryError && error.retryable);
      this.events.emit("failed", { template: name, retryable, error });
      throw error;
    }
  }

  /** Throws InvalidMailPropsError / InvalidRecipientError / UnknownTemplateError; sends nothing. */
  check<K extends keyof R & string>(name: K, request: MailRequest<unknown>): MailRequest<PropsOf<R, K>> {
    const props = this.renderer.validate(name, request.props);
    normalizeRecipients(request.to);
    if (request.from !== undefined) normalizeRecipients(request.from);
    return { ...request, props };
  }

  /** The mail as the transport receives it: validated, rendered, addressed. */
  async compose<K extends keyof R & string>(name: K, request: MailRequest<unknown>): Promise<OutgoingMail> {
    const checked = this.check(name, request);
    const rendered = await this.renderer.render(name, checked.props);
    const replyTo = request.replyTo ?? this.#replyTo;
    return {
      from: request.from ?? this.from,
      to: normalizeRecipients(request.to),
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      ...(replyTo === undefined ? {} : { replyTo }),
    };
  }

  /**
   * Renders every template once with its PreviewProps, so the first real mail does not pay for
   * loading React's server renderer and html-to-text (seconds on a busy machine; see the benchmark).
   * Call it at startup, e.g. from a hosted service's start.
   */
  async warmUp(): Promise<void> {
    for (const name of Object.keys(this.templates) as (keyof R & string)[]) {
      await this.renderer.render(name, this.renderer.validate(name, this.templates[name]!.previewProps));
    }
  }

  render<K extends keyof R & string>(name: K, props: PropsOf<R, K>): Promise<RenderedMail> {
    return this.renderer.render(name, this.renderer.validate(name, props));
  }
}

export function createMailer<R extends TemplateRegistry>(options: MailerOptions<R>): Mailer<R> {
  return new Mailer(options);
}
