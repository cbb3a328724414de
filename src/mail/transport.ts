/** A rendered mail ready for a provider. */
export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  replyTo?: string;
}

export interface DeliveryOptions {
  /**
   * Same key, same request: the provider delivers once (Resend remembers keys for 24 h). Queued mails
   * derive it from the job id, so a retry after a timeout cannot deliver twice.
   */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** The caller already took a token from `transport.limiter` for this request. */
  tokenTaken?: boolean;
}

export interface Delivery {
  /** The provider's id for the mail. */
  id: string;
}

/**
 * Where mails go. `send` resolves once the provider accepted the mail and otherwise throws a
 * MailDeliveryError that says whether a retry can help (MailRateLimitedError, MailTransientError,
 * MailRejectedError). `sendBatch`, when present, sends up to `maxBatchSize` mails in one request,
 * all or none, under one idempotency key.
 */
export interface MailTransport {
  readonly name: string;
  /**
   * The provider's rate limiter, when the transport has one. The batching sender takes a token
   * before choosing a batch's members, so a batch holds every mail that queued while it waited.
   */
  readonly limiter?: { acquire(signal?: AbortSignal): Promise<void> };
  send(mail: OutgoingMail, options?: DeliveryOptions): Promise<Delivery>;
  readonly maxBatchSize?: number;
  sendBatch?(mails: readonly OutgoingMail[], options?: DeliveryOptions): Promise<Delivery[]>;
}
