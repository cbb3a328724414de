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

  /** Newest first, as the SQL stores list: jobs with an id below the cursor (ignored when not a job id). */
  page(o: ListOptions, match: (job: MemoryJob) => boolean): JobPage {
    const limit = pageSize(o.limit);
    const found: MemoryJob[] = [];
    for (let i = this.#below(o.cursor) - 1; i >= 0 && found.length <= limit; i--) {
      const job = this.#jobs[i]!;
      if (!this.#deleted.has(job) && match(job)) found.push(job);
    }
    const jobs = found.slice(0, limit).map(toJobRecord);
    return { jobs, nextCursor: found.length > limit ? jobs.at(-1)!.id : null };
  }

  /** The index of the first job whose id is not below the cursor (the end without a valid cursor). */
  #below(cursor: string | undefined): number {
    const id = cursor === undefined ? null : jobIdNumber(cursor);
    if (id === null) return this.#jobs.length;
    let [lo, hi] = [0, this.#jobs.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#jobs[mid]!.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
