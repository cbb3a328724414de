import type { Query, StoreContext } from "./context.ts";

/** Runs `run` in one transaction, opened by `begin` (default "begin"). */
export type Transaction = <T>(run: (q: Query) => Promise<T>, begin?: string) => Promise<T>;

/**
 * State transitions of claimed jobs commit with synchronous_commit off: PostgreSQL acknowledges them
 * before their WAL reaches disk (it gets there within ~3 × wal_writer_delay, 600 ms by default).
 * Visibility and locking are unchanged, so SKIP LOCKED claims and per-name limits stay exact; only a
 * crash of the PostgreSQL server itself can forget the last transitions, and each forgotten one
 * falls back to a state the store already recovers from: a forgotten claim leaves the job due (it
 * runs again), a forgotten completion or failure leaves it running under a lease that expires (it
 * runs again). That is at-least-once, the guarantee jobs have anyway. Enqueue never takes this path:
 * an acknowledged job is on disk. What it buys: a claim or a completion no longer waits for an fsync,
 * which on this class of machine is 3–5 ms per commit and was the end-to-end bottleneck.
 *
 * With its own pools (url) the store keeps a second small pool whose sessions default to
 * synchronous_commit off, so a transition is one round trip. On the app's pool it sets it per
 * transaction instead (`set local`, sent with BEGIN in one round trip; the COMMIT is a third).
 */
export function ownTransitions(asyncCommit: Query, transaction: Transaction): StoreContext["transition"] {
  return (run, options) => (options?.atomic ? transaction(run) : run(asyncCommit));
}

export function sharedTransitions(transaction: Transaction): StoreContext["transition"] {
  return (run) => transaction(run, "begin; set local synchronous_commit to off");
}
