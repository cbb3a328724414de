import type { JobPage, ListOptions } from "../../jobs/store.ts";
import { jobIdNumber, pageSize } from "../common.ts";
import { type MemoryJob, toJobRecord } from "./records.ts";

/**
 * Every job in id order, for list(): newest first from a cursor. Ids only grow, so appending keeps the
 * array sorted and a cursor is found by binary search. Deleted jobs are dropped lazily, once they are
 * half the array, so a prune of many jobs costs one pass rather than one splice per job.
 */
export class IdOrder {
  #jobs: MemoryJob[] = [];
  readonly #deleted = new Set<MemoryJob>();

  append(job: MemoryJob): void {
    this.#jobs.push(job);
  }

  remove(job: MemoryJob): void {
    this.#deleted.add(job);
    if (this.#deleted.size * 2 < this.#jobs.length) return;
    this.#jobs = this.#jobs.filter((j) => !this.#deleted.has(j));
    this.#deleted.clear();
  }

  /**
   * As the SQL stores list: newest first, jobs with an id below the cursor, or oldest first, above it
   * (a cursor that names no possible job is ignored).
   */
  page(o: ListOptions, match: (job: MemoryJob) => boolean): JobPage {
    const limit = pageSize(o.limit);
    const found: MemoryJob[] = [];
    const take = (job: MemoryJob) => {
      if (!this.#deleted.has(job) && match(job)) found.push(job);
    };
    const cursor = (o.cursor === undefined ? null : jobIdNumber(o.cursor)) ?? undefined;
    if (o.order === "oldest") {
      const start = cursor === undefined ? 0 : this.#firstAtLeast(cursor + 1);
      for (let i = start; i < this.#jobs.length && found.length <= limit; i++) take(this.#jobs[i]!);
    } else {
      const end = cursor === undefined ? this.#jobs.length : this.#firstAtLeast(cursor);
      for (let i = end - 1; i >= 0 && found.length <= limit; i--) take(this.#jobs[i]!);
    }
    const jobs = found.slice(0, limit).map(toJobRecord);
    return { jobs, nextCursor: found.length > limit ? jobs.at(-1)!.id : null };
  }

  /** The index of the first job whose id is at least `id` (the end when there is none). */
  #firstAtLeast(id: number): number {
    let [lo, hi] = [0, this.#jobs.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#jobs[mid]!.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
