// What flows, `after` and durable workflows need from a JobStore, on top of the job operations. Kept
// apart from the hot path: an ordinary job never touches these calls or their tables.
//
// - Dependencies: rows (waiter, dependency). A waiter is stored parked (state scheduled, runAt =
//   parkedRunAt, never due) and becomes ready, dead or cancelled once every dependency has ended,
//   when settleDependencies() runs (the dispatcher calls it after writes that may end dependencies
//   and at each poll).
// - Steps: rows keyed by (job id, step id) holding a workflow step's JSON result.
// - Event waits: rows (job id, event). sendEvent stores the event and makes every waiter due at once.
import type { EnqueuedJob, EnqueueOptions, JobRecord, NewJob, WorkerOptions } from "./store.ts";

/** runAt of a parked job: the largest time a Date holds, so it is never due by the clock. */
export const parkedRunAt = 8_640_000_000_000_000;

/** What a dependency's failure (dead, or cancelled) does to its waiter. */
export type DependencyFailure = "fail" | "continue" | "cancel";

/** A flow's child (`child`) or an `after` dependency (`after`). */
export type DependencyKind = "child" | "after";

/** An edge to insert with enqueueGraph: `waiter` and `dependency` are indexes into its jobs, or a stored job's id. */
export interface NewDependency {
  waiter: number;
  dependency: number | { id: string };
  kind: DependencyKind;
  onFailure: DependencyFailure;
}

/** A stored workflow step. `done` false: a waitForEvent still waiting (its result holds the wait's deadline). */
export interface StoredStep {
  id: string;
  /** Position in the workflow's run, from 0: a replay must reach the same step at the same position. */
  seq: number;
  /** The step's result as JSON (undefined when the step returned nothing). */
  result: unknown;
  done: boolean;
}

/** A running workflow job that gives its lease back to wake up later (a sleep or an event wait). */
export interface Suspension {
  id: string;
  /** When it is due again (a sleep's end, a wait's timeout, or parkedRunAt). */
  runAt: number;
  /** A step row written in the same transaction (the sleep's end, the wait's deadline). */
  step?: StoredStep;
  /**
   * Park as a waiter of this event. If an event of that name sent at or after `since` (and after the
   * event `afterId`, the last one the workflow has examined) is stored already — sent while the
   * workflow was running — the job is due at once instead.
   */
  wait?: { event: string; since: number; afterId?: string | null };
}

export interface StoredEvent {
  /** Increasing in the order events of one name were stored (sendEvent serializes them per name). */
  id: string;
  data: unknown;
  sentAt: number;
}

export interface FindEventsOptions {
  /** Only events sent at or after this time. */
  since: number;
  /** Only events after this one (a cursor: the last event examined). */
  afterId?: string | null;
  limit: number;
}

/** A flow as stored: a job and the jobs its "child" edges name (those still stored), in id order. */
export interface StoredFlow {
  id: string;
  children: StoredFlow[];
}

/** enqueueGraph's options. */
export interface GraphOptions<Tx> extends EnqueueOptions<Tx> {
  /**
   * The jobs are one flow, depth first: `flow[i]` is the index of job i's parent (-1: the root). A job
   * whose key matched an existing job stands for its whole subtree: nothing under it is written (so a
   * retried keyed flow writes nothing at all), and its result carries that job's stored flow.
   */
  flow?: readonly number[];
}

export interface EnqueuedGraphJob extends EnqueuedJob {
  /** In a flow, a job whose key matched: the existing job's stored flow. */
  existing?: StoredFlow;
  /** In a flow, a job under one whose key matched: not written (id ""). */
  skipped?: true;
}

/** The result of a flow job that was not written because an ancestor's key matched. */
export const skippedJob: EnqueuedGraphJob = Object.freeze({ id: "", created: false, skipped: true });

/** Whether flow job i lies under a job whose key matched (its parent was skipped or not created). */
export function underMatchedKey(parents: readonly number[], i: number, results: readonly EnqueuedGraphJob[]): boolean {
  const parent = parents[i] ?? -1;
  return parent >= 0 && !results[parent]!.created;
}

/** The flow stored under `id`, from its child edges (waiter -> children in id order); at most 64 levels. */
export function storedFlow(id: string, childrenOf: ReadonlyMap<string, readonly string[]>, depth = 0): StoredFlow {
  const children = depth >= 64 ? [] : (childrenOf.get(id) ?? []);
  return { id, children: children.map((child) => storedFlow(child, childrenOf, depth + 1)) };
}

export interface WorkflowStore<Tx> {
  /**
   * Inserts jobs and dependency edges in one transaction (the caller's `tx` when given). Waiters must
   * come with runAt = parkedRunAt. A job whose key matched an existing job gets no edges as a waiter
   * (and, with `flow`, nothing under it is written). Keys hold while the job exists: `keyTtlMs` and
   * `debounce` are not applied here.
   */
  enqueueGraph(
    jobs: readonly NewJob[],
    dependencies: readonly NewDependency[],
    options: GraphOptions<Tx>,
  ): Promise<EnqueuedGraphJob[]>;

  /**
   * Every parked waiter whose dependencies have all ended (succeeded, dead, cancelled, or deleted)
   * becomes ready (due now), or — when one ended dead or cancelled — dead ("fail", an error naming it
   * appended) or cancelled ("cancel"); "continue" makes it ready anyway. Safe to run concurrently from
   * many processes. Returns how many it settled and how many waiters are still waiting.
   */
  settleDependencies(options: { now: number }): Promise<{ settled: number; waiting: number }>;

  /** The jobs `id` waits (or waited) for, of one kind, in id order. */
  dependencies(id: string, kind: DependencyKind): Promise<JobRecord[]>;

  /** The workflow's stored steps, in seq order. */
  steps(id: string): Promise<StoredStep[]>;

  /**
   * Stores (or replaces) one step while the job runs under `workerId`; deletes the job's event wait when
   * `clearWait`. false when the job is no longer held (lease lost): nothing is written.
   */
  saveStep(id: string, step: StoredStep, options: WorkerOptions & { clearWait?: boolean }): Promise<boolean>;

  /**
   * running -> scheduled at runAt for the jobs this worker still holds, the attempt not counted (a sleep
   * or a wait is no failure), with their step and event wait written in the same transaction.
   */
  suspend(suspensions: readonly Suspension[], options: WorkerOptions): Promise<number>;

  /**
   * Stores the event and makes every job waiting for it due now, in one transaction. Returns how many
   * waiters it woke. Events are kept until prune() deletes those sent before its `finishedBefore`.
   */
  sendEvent(event: string, data: unknown, options: { now: number }): Promise<number>;

  /** Stored events of that name, oldest first, from `since` and after `afterId`, at most `limit`. */
  findEvents(event: string, options: FindEventsOptions): Promise<StoredEvent[]>;
}
