// What happened to mails, dispatched in the process that sent them (metrics listen here).
import { type TypedEventListener, TypedEventTarget } from "../events/typed-event-target.ts";

export interface MailEventDetails {
  /** The transport accepted the mail. */
  sent: { template: string; recipients: number; providerId: string };
  /**
   * Sending failed: `retryable` when a later attempt may succeed (the job retries it), false when the
   * mail was refused or cannot be built (the job is dead at once).
   */
  failed: { template: string; retryable: boolean; error: unknown };
}

export type MailEventType = keyof MailEventDetails;

export class MailEvent<K extends MailEventType = MailEventType> extends Event {
  declare readonly type: K;
  constructor(
    type: K,
    readonly detail: MailEventDetails[K],
  ) {
    super(type);
  }
}

export type MailEventListener<K extends MailEventType> = TypedEventListener<MailEvent<K>>;

/** An EventTarget typed for mail events. */
export class MailEvents extends TypedEventTarget<{ [K in MailEventType]: MailEvent<K> }> {
  emit<K extends MailEventType>(type: K, detail: MailEventDetails[K]): void {
    this.dispatchEvent(new MailEvent(type, detail));
  }
}
