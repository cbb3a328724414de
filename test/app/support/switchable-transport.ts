import {
  type DeliveryOptions,
  MailRejectedError,
  type MailTransport,
  type MemoryTransport,
  type OutgoingMail,
} from "../../../src/mail/index.ts";

/**
 * A memory transport whose provider can be made to refuse mails (422, as Resend does for an
 * unverified domain), so a test can produce a dead mail job and then see a retry succeed.
 */
export function switchableTransport(inner: MemoryTransport): MailTransport & { refusing: boolean } {
  const transport = {
    name: "switchable",
    refusing: false,
    async send(mail: OutgoingMail, options?: DeliveryOptions) {
      if (transport.refusing)
        throw new MailRejectedError("The example.com domain is not verified.", 422, "validation_error");
      return inner.send(mail, options);
    },
  };
  return transport;
}
