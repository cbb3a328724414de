/**
 * Sends the wake-up NOTIFY for enqueues on the store's own connection after they commit, without the
 * caller waiting for it: a NOTIFY inside the insert's transaction serializes commits on PostgreSQL's
 * notification queue lock and cost more than the insert itself here. A burst of enqueues coalesces to
 * one NOTIFY in flight and one queued; listeners only need to know that something is due. If it never
 * arrives (the process dies right after the commit), other instances find the job at their next poll.
 */
export function coalescedNotify(send: () => Promise<unknown>): () => void {
  let inFlight = false;
  let again = false;
  const run = (): void => {
    inFlight = true;
    again = false;
    send()
      // A lost wake-up only delays other instances until their poll; nothing to report to the caller.
      .catch(() => {})
      .finally(() => {
        inFlight = false;
        if (again) run();
      });
  };
  return () => {
    if (inFlight) again = true;
    else run();
  };
}
