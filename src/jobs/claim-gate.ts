// What this process knows of the claim controls, for decisions made without asking the store: the
// pauses in force (refreshed from the store at each poll, and at once when this process or, on
// PostgreSQL, another one pauses or resumes) and which names carry limits. The claim statements are
// the authority (they read the paused table and count under locks); this is their local echo.
import type { AnyJobDefinition } from "./define-job.ts";
import type { Pause, PauseTarget } from "./store.ts";

export class ClaimGate {
  /** Names under a concurrency or rate limit: only the store's claim, under its lock, may start them. */
  readonly #limited = new Set<string>();
  readonly #queueOf = new Map<string, string>();
  #names: ReadonlySet<string> = new Set();
  #queues: ReadonlySet<string> = new Set();
  #any = false;

  constructor(definitions: Iterable<AnyJobDefinition>) {
    for (const def of definitions) {
      this.#queueOf.set(def.name, def.queue);
      if (def.concurrency !== undefined || def.concurrencyByKey || def.rateLimit) this.#limited.add(def.name);
    }
  }

  /** Counts add() calls, so a read of the store begun before one does not undo it (see update). */
  #added = 0;

  get added(): number {
    return this.#added;
  }

  /**
   * The pauses as read from the store. `readSince` is `added` when that read began: if a pause was added
   * since, the read may predate it and is dropped (false); read again.
   */
  update(pauses: readonly Pause[], readSince = this.#added): boolean {
    if (readSince !== this.#added) return false;
    const names = new Set<string>();
    const queues = new Set<string>();
    for (const pause of pauses) {
      if (pause.name !== undefined) names.add(pause.name);
      else queues.add(pause.queue);
    }
    this.#names = names;
    this.#queues = queues;
    this.#any = pauses.length > 0;
    return true;
  }

  /**
   * A pause this process has just stored: in force here at once, before the next read of the store, so
   * that this process does not take on enqueue a job enqueued after `jobs.pause()` resolved.
   */
  add(target: PauseTarget): void {
    if (target.name !== undefined) this.#names = new Set([...this.#names, target.name]);
    else this.#queues = new Set([...this.#queues, target.queue]);
    this.#any = true;
    this.#added++;
  }

  /** A job of this name and queue must not start now (it was claimed before the pause). */
  paused(name: string, queue: string): boolean {
    return this.#any && (this.#names.has(name) || this.#queues.has(queue));
  }

  /**
   * May a job of this name be claimed straight away, outside the store's claim (an enqueue fast
   * lane)? Not when paused, nor under a concurrency or rate limit, which only the claim can count.
   */
  mayClaimDirectly(name: string): boolean {
    if (this.#limited.has(name)) return false;
    const queue = this.#queueOf.get(name);
    return queue !== undefined && !this.paused(name, queue);
  }
}
