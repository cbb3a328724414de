// The pending jobs (scheduled, ready, failed) in claim order, so a claim costs O(taken · log n) rather
// than a scan of every job. Per (name, queue): a heap by runAt of the jobs not yet due, and a heap in
// claim order of the due ones; a claim first moves what became due, then takes the best heads.
import { Heap } from "./heap.ts";
import { type MemoryJob, pendingStates } from "./records.ts";

/**
 * A job's place in a heap. `runAt` is copied: a stale entry (see MemoryJob.ticket) may outlive a
 * change of the job's runAt, and a heap whose keys change under it loses its order.
 */
interface Entry {
  readonly job: MemoryJob;
  readonly ticket: number;
  readonly runAt: number;
}

const live = (entry: Entry) => entry.ticket === entry.job.ticket && pendingStates.has(entry.job.state);
const dueFirst = (a: Entry, b: Entry) => a.runAt < b.runAt || (a.runAt === b.runAt && a.job.id < b.job.id);
/** Claim order, as on the SQL stores: higher priority, then older runAt, then older id. */
const claimFirst = (a: Entry, b: Entry) =>
  a.job.priority !== b.job.priority
    ? a.job.priority > b.job.priority
    : a.runAt !== b.runAt
      ? a.runAt < b.runAt
      : a.job.id < b.job.id;

class Group {
  readonly #delayed = new Heap<Entry>(dueFirst);
  readonly #due = new Heap<Entry>(claimFirst);

  constructor(readonly name: string) {}

  add(entry: Entry): void {
    this.#delayed.push(entry);
  }

  /** Moves the jobs due by `now` into claim order. */
  promote(now: number): void {
    for (let e = this.#delayed.peek(); e !== undefined && e.runAt <= now; e = this.#delayed.peek()) {
      this.#delayed.pop();
      if (live(e)) this.#due.push(e);
    }
  }

  /** The best due job; one not due by `now` (the clock went back since it was promoted) goes back to wait. */
  head(now: number): Entry | undefined {
    for (let e = this.#due.peek(); e !== undefined; e = this.#due.peek()) {
      if (live(e) && e.runAt <= now) return e;
      this.#due.pop();
      if (live(e)) this.#delayed.push(e);
    }
    return undefined;
  }

  take(): MemoryJob {
    return this.#due.pop()!.job;
  }
}

export interface TakeOptions {
  names: readonly string[];
  queues?: readonly string[];
  /** Queues to leave alone (paused). */
  skipQueues?: ReadonlySet<string> | undefined;
  now: number;
  limit: number;
  /** How many more jobs of this name may run (per-name limits); Infinity when unlimited. */
  room(name: string): number;
}

export class PendingIndex {
  /** name -> queue -> group. */
  readonly #groups = new Map<string, Map<string, Group>>();

  /** Indexes a job that just became pending, or takes a new place (new runAt). */
  add(job: MemoryJob): void {
    job.ticket++;
    this.#group(job.name, job.queue).add({ job, ticket: job.ticket, runAt: job.runAt });
  }

  /** Forgets a job that is no longer pending (its entries become stale). */
  remove(job: MemoryJob): void {
    job.ticket++;
  }

  /** Takes up to `limit` due jobs in claim order; the caller marks them running. */
  take(o: TakeOptions): MemoryJob[] {
    const groups = this.#candidates(o.names, o.queues, o.skipQueues);
    for (const group of groups) group.promote(o.now);
    const room = new Map(groups.map((g) => [g.name, o.room(g.name)]));
    const taken: MemoryJob[] = [];
    while (taken.length < o.limit) {
      const best = this.#best(groups, room, o.now);
      if (!best) break;
      taken.push(best.take());
      room.set(best.name, room.get(best.name)! - 1);
    }
    return taken;
  }

  #best(groups: readonly Group[], room: ReadonlyMap<string, number>, now: number): Group | undefined {
    let best: Group | undefined;
    let bestHead: Entry | undefined;
    for (const group of groups) {
      if (room.get(group.name)! <= 0) continue;
      const head = group.head(now);
      if (head && (!bestHead || claimFirst(head, bestHead))) [best, bestHead] = [group, head];
    }
    return best;
  }

  #candidates(
    names: readonly string[],
    queues: readonly string[] | undefined,
    skip: ReadonlySet<string> | undefined,
  ): Group[] {
    const wanted = queues && new Set(queues);
    const groups: Group[] = [];
    for (const name of new Set(names)) {
      for (const [queue, group] of this.#groups.get(name) ?? [])
        if ((!wanted || wanted.has(queue)) && !skip?.has(queue)) groups.push(group);
    }
    return groups;
  }

  #group(name: string, queue: string): Group {
    const byQueue = this.#groups.get(name) ?? new Map<string, Group>();
    this.#groups.set(name, byQueue);
    const group = byQueue.get(queue) ?? new Group(name);
    byQueue.set(queue, group);
    return group;
  }
}
