import type { JobCount, JobState } from "../../jobs/store.ts";

/** Jobs per (name, state), kept as jobs move so that counts() and per-name limits read no jobs. */
export class StateCounts {
  readonly #byName = new Map<string, Map<JobState, number>>();

  add(name: string, state: JobState, delta: number): void {
    const byState = this.#byName.get(name) ?? new Map<JobState, number>();
    this.#byName.set(name, byState);
    const count = (byState.get(state) ?? 0) + delta;
    if (count === 0) byState.delete(state);
    else byState.set(state, count);
  }

  of(name: string, state: JobState): number {
    return this.#byName.get(name)?.get(state) ?? 0;
  }

  /** One row per (name, state) that has jobs, by name then state. */
  rows(): JobCount[] {
    const rows: JobCount[] = [];
    for (const [name, byState] of this.#byName) for (const [state, count] of byState) rows.push({ name, state, count });
    return rows.sort((a, b) => compare(a.name, b.name) || compare(a.state, b.state));
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
