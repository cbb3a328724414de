// An EventTarget whose addEventListener and removeEventListener know each event type's event class, so
// a listener for "sent" receives a MailEvent<"sent">. Cron and mail events use it as it is; job events
// (src/jobs/events.ts) add listener counting on top, for their hot path.

/** A listener for events of class `E`, as EventTarget accepts it: a function or a handleEvent object. */
export type TypedEventListener<E extends Event> = ((event: E) => void) | { handleEvent(event: E): void };

/** `Events` maps each event type to the event class dispatched for it. */
export class TypedEventTarget<Events extends Record<string, Event>> extends EventTarget {
  override addEventListener<K extends keyof Events & string>(
    type: K,
    listener: TypedEventListener<Events[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener<K extends keyof Events & string>(
    type: K,
    listener: TypedEventListener<Events[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }
}
