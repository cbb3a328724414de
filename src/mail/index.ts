// `errand/mail`: typed React Email templates, the mailer, transports and the durable mail job. No
// `bun:` or database code: the SQLite and PostgreSQL delivery ledgers and preview stores are exported
// from errand/sqlite and errand/postgres.
export {
  InvalidMailPropsError,
  InvalidRecipientError,
  MailConfigError,
  MailDeliveryError,
  MailError,
  MailRateLimitedError,
  MailRejectedError,
  MailTransientError,
  UnknownTemplateError,
} from "./errors.ts";
export {
  MailEvent,
  type MailEventDetails,
  type MailEventListener,
  MailEvents,
  type MailEventType,
} from "./events.ts";
export type { DeliveryLedger, DeliveryRoute } from "./ledger/ledger.ts";
export { MemoryDeliveryLedger, memoryDeliveryLedger } from "./ledger/memory-ledger.ts";
export {
  defineMailJob,
  type MailJob,
  type MailJobContext,
  type MailJobOptions,
  type MailJobPayload,
  mailJobPayload,
  mailJobSpec,
  sendMailFromJob,
} from "./mail-job.ts";
export { createMailer, Mailer, type MailerOptions, type MailRequest } from "./mailer.ts";
export { type MailEnqueueOptions, MailOutbox, mailOutbox } from "./outbox.ts";
export type { PreviewMail, PreviewMailSummary, PreviewStore } from "./preview/store.ts";
export { type RateLimitReport, TokenBucket, type TokenBucketOptions } from "./rate-limiter.ts";
export { MailRenderer, type RenderedMail, type RendererOptions } from "./render.ts";
export { type BatchingOptions, type DeliverOptions, MailSender } from "./sender.ts";
export { defineTemplate, type MailTemplate, type PropsOf, type TemplateRegistry } from "./template.ts";
export type { Delivery, DeliveryOptions, MailTransport, OutgoingMail } from "./transport.ts";
export { classifyResendError, type ResendErrorResult } from "./transports/classify-resend.ts";
export { type MailEnv, transportFromEnv } from "./transports/from-env.ts";
export { MemoryTransport, memoryTransport, type SentMail } from "./transports/memory.ts";
export { PreviewTransport, previewTransport } from "./transports/preview.ts";
export { ResendTransport, type ResendTransportOptions, resendTransport } from "./transports/resend.ts";
