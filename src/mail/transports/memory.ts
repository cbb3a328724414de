import type { Delivery, DeliveryOptions, MailTransport, OutgoingMail } from "../transport.ts";

export interface SentMail extends OutgoingMail {
  id: string;
  idempotencyKey: string | undefined;
  sentAt: Date;
}

/**
 * Keeps what was sent, for an application's own tests: `transport.sent`, `transport.last()`,
 * `transport.to("ada@example.com")`. Honors idempotency keys as the provider does (a repeated key
 * delivers nothing new), so tests see what users would receive.
 */
export class MemoryTransport implements MailTransport {
  readonly name = "memory";
  readonly maxBatchSize = 100;
  readonly sent: SentMail[] = [];
  readonly #byKey = new Map<string, Delivery[]>();
  #nextId = 1;

  async send(mail: OutgoingMail, options: DeliveryOptions = {}): Promise<Delivery> {
    const [delivery] = this.#deliver([mail], options.idempotencyKey);
    return delivery!;
  }

  async sendBatch(mails: readonly OutgoingMail[], options: DeliveryOptions = {}): Promise<Delivery[]> {
    return this.#deliver(mails, options.idempotencyKey);
  }

  last(): SentMail | undefined {
    return this.sent.at(-1);
  }

  to(address: string): SentMail[] {
    return this.sent.filter((mail) => mail.to.includes(address));
  }

  clear(): void {
    this.sent.length = 0;
    this.#byKey.clear();
  }

  #deliver(mails: readonly OutgoingMail[], idempotencyKey: string | undefined): Delivery[] {
    const earlier = idempotencyKey === undefined ? undefined : this.#byKey.get(idempotencyKey);
    if (earlier) return earlier;
    const deliveries = mails.map((mail) => {
      const id = `memory-${this.#nextId++}`;
      this.sent.push({ ...mail, id, idempotencyKey, sentAt: new Date() });
      return { id };
    });
    if (idempotencyKey !== undefined) this.#byKey.set(idempotencyKey, deliveries);
    return deliveries;
  }
}

export function memoryTransport(): MemoryTransport {
  return new MemoryTransport();
}
