/** An AbortController whose signal counts the abort listeners currently attached to it. */
export function countingController(): { controller: AbortController; attached: () => number; added: () => number } {
  const controller = new AbortController();
  const signal = controller.signal;
  const listeners = new Set<unknown>();
  let added = 0;
  signal.addEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ) => {
    added++;
    listeners.add(listener);
    EventTarget.prototype.addEventListener.call(signal, type, listener, options);
  };
  signal.removeEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ) => {
    listeners.delete(listener);
    EventTarget.prototype.removeEventListener.call(signal, type, listener, options);
  };
  return { controller, attached: () => listeners.size, added: () => added };
}
