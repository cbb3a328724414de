// What the three job stores (memory, SQLite, PostgreSQL) share beyond the JobStore interface, so that
// they agree on the details the contract suite does not pin down. Web-standard: memoryStore uses it.
import { StoreClosedError } from "../jobs/errors.ts";
import type { JobState, NewJob } from "../jobs/store.ts";

/** list() returns at most this many jobs per page, whatever `limit` asks for (at least one). */
export const maxPageSize = 1000;

/** The page size list() uses for a requested `limit`: 1 to maxPageSize. */
export function pageSize(limit: number): number {
  return Number.isFinite(limit) ? Math.max(1, Math.min(Math.floor(limit), maxPageSize)) : maxPageSize;
}

/** The largest job id: PostgreSQL's bigint and SQLite's rowid are signed 64-bit integers. */
const maxJobId = 2n ** 63n - 1n;

/**
 * Job ids are decimal integers up to 2^63 - 1 (SQLite rowid, PostgreSQL bigint, the memory store's
 * counter). Anything else names no job: checked before it reaches a query, where "1e3" or "0x10" would
 * match job 1000 or 16 under SQLite's number conversion, and a value past the range would fail
 * PostgreSQL's cast (an operator's typo answered with a 500).
 */
export function isJobId(id: string): boolean {
  return /^[0-9]{1,19}$/.test(id) && BigInt(id) <= maxJobId;
}

/**
 * A job id as a JS number, for the stores that keep ids as numbers (SQLite rowids as bun:sqlite reads
 * them, the memory store's counter); null when it is no job id. Also null past 2^53: those stores never
 * give out such ids (they count up from 1), and Number() would round one onto a neighbouring id.
 */
export function jobIdNumber(id: string): number | null {
  if (!isJobId(id)) return null;
  const value = Number(id);
  return Number.isSafeInteger(value) ? value : null;
}

/** recoverExpired records this as the lost attempt's error, under the name `LeaseExpiredError`. */
export const leaseExpiredMessage =
  "The lease expired before the attempt finished: its worker stopped (crash, kill, lost connection) or stalled.";

/** recoverExpired's default batch size. */
export const defaultRecoverLimit = 10_000;

/**
 * One drizzle-kit migration, embedded in the package (migrations.generated.ts of each SQL store) so a
 * store reads nothing from disk at run time: an installed package or a compiled binary has no
 * drizzle/ folder next to it.
 */
export interface EmbeddedMigration {
  /** The file name without `.sql`, as in drizzle-kit's journal. */
  tag: string;
  /** The journal's `when`: drizzle's `folderMillis`, recorded as `created_at` in the migrations table. */
  createdAt: number;
  /** sha256 of the .sql file, hex: what drizzle's migrator records as `hash`. */
  hash: string;
  /** The file split at drizzle-kit's `--> statement-breakpoint` markers. */
  statements: readonly string[];
}

/**
 * What a waiter becomes when one of its dependencies ended dead or cancelled: the error appended to
 * it and its final state (a flow parent dead, an `after` job cancelled); null when the waiter runs
 * anyway ("continue"). The same text on every store.
 */
export function dependencyFailure(
  edge: { kind: "child" | "after"; onFailure: "fail" | "continue" | "cancel" },
  dependency: { id: string; name: string; state: string },
  now: number,
): { state: "dead" | "cancelled"; error: { at: number; name: string; message: string } } | null {
  if (edge.onFailure === "continue") return null;
  const what = edge.kind === "child" ? "Child job" : "Job";
  const error = {
    at: now,
    name: edge.kind === "child" ? "ChildJobFailedError" : "DependencyFailedError",
    message: `${what} ${dependency.id} (${dependency.name}) ended ${dependency.state}${edge.kind === "after" ? ": this job was waiting for it (after) and does not run" : ""}.`,
  };
  return { state: edge.onFailure === "cancel" ? "cancelled" : "dead", error };
}

/**
 * What an enqueue of an existing job's key does (the same rules on every store): "existing" returns
 * the job; "debounce" moves the unstarted job; "replace" releases the key from the old row and
 * creates a new job (the old key's window closed, or a debounced job already started).
 */
export function keyedOutcome(
  existing: { keyExpiresAt: number | null; state: JobState; attempts: number },
  job: NewJob,
  now: number,
): "existing" | "debounce" | "replace" {
  if (existing.keyExpiresAt !== null && existing.keyExpiresAt <= now) return "replace";
  if (!job.debounce) return "existing";
  return (existing.state === "scheduled" || existing.state === "ready") && existing.attempts === 0
    ? "debounce"
    : "replace";
}

/** The group a per-key limit puts a job in: a null key (none computed, e.g. a job enqueued before the key was configured) is "". */
export const groupOf = (key: string | null): string => key ?? "";

/**
 * Makes every method of `store`'s class except close() fail with StoreClosedError once `isClosed()`:
 * a closed connection must not keep answering (bun:sqlite keeps one open while cached statements
 * exist), nor say "retry" (a pool ended for good), and a database the app owns stays open but is no
 * longer the store's to use. `…Sync` methods throw; the others return a rejected Promise.
 */
export function guardClosed(store: object, isClosed: () => boolean): void {
  const prototype = Object.getPrototypeOf(store) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = Object.getOwnPropertyDescriptor(prototype, name)?.value;
    if (name === "constructor" || name === "close" || typeof method !== "function") continue;
    const sync = name.endsWith("Sync");
    Object.defineProperty(store, name, {
      configurable: true,
      writable: true,
      value(this: unknown, ...args: unknown[]): unknown {
        if (!isClosed()) return method.apply(this, args);
        if (sync) throw new StoreClosedError(name);
        return Promise.reject(new StoreClosedError(name));
      },
    });
  }
}
