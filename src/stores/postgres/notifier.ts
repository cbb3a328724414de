// Wake-ups between instances sharing a schema: NOTIFY when jobs become due, LISTEN for the others'.
import type { Subscription } from "../../jobs/store.ts";
import type { Connections } from "./connections.ts";

/** The LISTEN/NOTIFY channel every instance sharing the schema uses to announce due jobs. */
export function wakeChannel(schema: string): string {
  return `errand_jobs_${schema}`;
}

/** The channel on which cancel announces, with the job id as payload, running jobs it cancelled. */
export function cancelChannel(schema: string): string {
  return `errand_cancel_${schema}`;
}

/** The channel on which the end of a job someone waits for is announced, with the job id as payload. */
export function doneChannel(schema: string): string {
  return `errand_done_${schema}`;
}

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

/**
 * LISTEN on the schema's channel, on a connection of its own (connections.ts), listening again after
 * that connection is lost; while it is down the dispatcher's poll finds due jobs, and the first wake
 * after it is back catches up on what was announced meanwhile. Every NOTIFY is delivered only once the
 * jobs it announces are committed: an enqueue on the store's own connection sends it after its commit
 * (coalescedNotify above), an enqueue inside the caller's transaction sends it within that
 * transaction, and release, retry and recovery send it from their own statement; PostgreSQL delivers
 * a NOTIFY at its transaction's commit.
 */
export function subscribe(
  connections: Pick<Connections, "listen">,
  channel: string,
  onWake: (payload: string | undefined) => void,
): Promise<Subscription> {
  return connections.listen(channel, onWake);
}

/** LISTEN for job ids on `channel` (cancels, ends of waited-for jobs), on a connection of its own. */
export function subscribeIds(
  connections: Pick<Connections, "listen">,
  channel: string,
  onCancel: (id: string) => void,
): Promise<Subscription> {
  return connections.listen(channel, (payload) => {
    if (payload) onCancel(payload);
  });
}
