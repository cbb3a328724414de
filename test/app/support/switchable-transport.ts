import {
  type DeliveryOptions,
  MailRejectedError,
  MailTransientError,
  type MailTransport,
  type OutgoingMail,
} from "errand/mail";
import type { MemoryTransport } from "errand/testing";

export interface SwitchableTransport extends MailTransport {
  /** Refuse every mail (422, as Resend does for an unverified domain): jobs go dead at once. */
  refusing: boolean;
  /** The next N requests reach the provider but their answer is lost (a timeout): delivered, then retried. */
  lostAnswers: number;
  /** Every request made, refused ones included: what each attempt rendered, under which key. */
  requests: { mail: OutgoingMail; idempotencyKey: string | undefined }[];
}

/**
 * A memory transport whose provider can be made to refuse mails or lose answers, so a test can
 * produce a dead mail job and see a retry succeed, or see a retry repeat the very same request.
 */
export function switchableTransport(inner: MemoryTransport): SwitchableTransport {
  const transport: SwitchableTransport = {
    name: "switchable",
    refusing: false,
    lostAnswers: 0,
    requests: [],
    async send(mail: OutgoingMail, options?: DeliveryOptions) {
      transport.requests.push({ mail, idempotencyKey: options?.idempotencyKey });
      if (transport.refusing)
        throw new MailRejectedError("The example.com domain is not verified.", 422, "validation_error");
      const delivery = await inner.send(mail, options);
      if (transport.lostAnswers > 0) {
        transport.lostAnswers--;
        throw new MailTransientError("The request timed out.", null, "timeout");
      }
      return delivery;
    },
  };
  return transport;
}
