// The memory store's control state: pauses, and the start times that rate limits count.
import type { Pause, PauseTarget, RateLimitRule } from "../../jobs/store.ts";
import { groupOf } from "../common.ts";

const targetKey = (t: PauseTarget) => (t.name !== undefined ? `name:${t.name}` : `queue:${t.queue}`);

export class Pauses {
  readonly #pauses = new Map<string, Pause>();
  readonly #names = new Set<string>();
  readonly #queues = new Set<string>();

  get any(): boolean {
    return this.#pauses.size > 0;
  }

  add(target: PauseTarget, now: number): boolean {
    const key = targetKey(target);
    if (this.#pauses.has(key)) return false;
    const pause: Pause =
      target.name !== undefined ? { name: target.name, pausedAt: now } : { queue: target.queue, pausedAt: now };
    this.#pauses.set(key, pause);
    if (target.name !== undefined) this.#names.add(target.name);
    else this.#queues.add(target.queue);
    return true;
  }

  remove(target: PauseTarget): boolean {
    if (!this.#pauses.delete(targetKey(target))) return false;
    if (target.name !== undefined) this.#names.delete(target.name);
    else this.#queues.delete(target.queue);
    return true;
  }

  list(): Pause[] {
    const order = (p: Pause) => (p.name !== undefined ? `0${p.name}` : `1${p.queue}`);
    return [...this.#pauses.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  nameAllowed(name: string): boolean {
    return !this.#names.has(name);
  }

  queueAllowed(queue: string): boolean {
    return !this.#queues.has(queue);
  }

  get queues(): ReadonlySet<string> {
    return this.#queues;
  }
}

/** Start times per name and rateKey group, kept only as long as a window can still count them. */
export class Starts {
  readonly #byName = new Map<string, Map<string, number[]>>();

  /** The starts inside (now - perMs, now], ascending; older ones are dropped. */
  window(name: string, rule: RateLimitRule, now: number): Map<string, number[]> {
    const groups = this.#byName.get(name) ?? new Map<string, number[]>();
    this.#byName.set(name, groups);
    for (const [key, times] of groups) {
      const kept = times.filter((at) => at > now - rule.perMs);
      if (kept.length === 0) groups.delete(key);
      else groups.set(key, kept);
    }
    return groups;
  }

  record(name: string, rateKey: string | null, at: number): void {
    const groups = this.#byName.get(name) ?? new Map<string, number[]>();
    this.#byName.set(name, groups);
    const times = groups.get(groupOf(rateKey)) ?? [];
    times.push(at);
    groups.set(groupOf(rateKey), times);
  }
}
