/**
 * One job system under test. Every measurement opens a fresh session (its own queue, schema or
 * database), so runs never see each other's jobs; `close` removes what the session created.
 */
export interface JobsBenchSystem {
  /** Stable id for `--only` filtering, e.g. "pg-boss:best". */
  readonly id: string;
  readonly label: string;
  /** What a committed enqueue survives: process crash, power loss, nothing. */
  readonly durability: string;
  open(): Promise<JobsBenchSession>;
}

export interface JobsBenchSession {
  enqueue(i: number): Promise<void>;
  /** Enqueues payloads `from … from + count - 1` in the system's own bulk call. */
  enqueueBulk(from: number, count: number): Promise<void>;
  /** Starts processing; `onJob(i)` runs at the start of each no-op handler. */
  startWorker(onJob: (i: number) => void): Promise<void>;
  close(): Promise<void>;
}

export const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
export const REDIS = { host: "127.0.0.1", port: 6379 } as const;

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => from + k);
}
