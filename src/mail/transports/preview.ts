import type { PreviewStore } from "../preview/store.ts";
import type { Delivery, DeliveryOptions, MailTransport, OutgoingMail } from "../transport.ts";

/**
 * Sends nothing: keeps each mail in a PreviewStore, shown at `/dev/mail` (the mail-preview plugin).
 * The default when no RESEND_API_KEY is set, so a fresh checkout runs without a provider account.
 */
export class PreviewTransport implements MailTransport {
  readonly name = "preview";
  readonly maxBatchSize = 100;

  constructor(readonly store: PreviewStore) {}

  async send(mail: OutgoingMail, options: DeliveryOptions = {}): Promise<Delivery> {
    const kept = await this.store.save(mail, options.idempotencyKey);
    return { id: kept.id };
  }

  async sendBatch(mails: readonly OutgoingMail[], options: DeliveryOptions = {}): Promise<Delivery[]> {
    // Each mail of a batch gets its own key derived from the batch key, as the provider keys the batch once.
    const kept = [];
    for (const [index, mail] of mails.entries()) {
      kept.push(
        await this.send(
          mail,
          options.idempotencyKey === undefined ? {} : { idempotencyKey: `${options.idempotencyKey}#${index}` },
        ),
      );
    }
    return kept;
  }
}

export function previewTransport(store: PreviewStore): PreviewTransport {
  return new PreviewTransport(store);
}
