// What happened to mails, dispatched in the process that sent them (metrics listen here).

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

export type MailEventListener<K extends MailEventType> =
  | ((event: MailEvent<K>) => void)
  | { handleEvent(event: MailEvent<K>): void };

/** An EventTarget typed for mail events. */
export class MailEvents extends EventTarget {
  override addEventListener<K extends MailEventType>(
    type: K,
    listener: MailEventListener<K> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener<K extends MailEventType>(
    type: K,
    listener: MailEventListener<K> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  emit<K extends MailEventType>(type: K, detail: MailEventDetails[K]): void {
    this.dispatchEvent(new MailEvent(type, detail));
  }
}
