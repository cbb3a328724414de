// The memory store's rows for flows and workflows: dependency edges, steps, event waits and events.
// Plain maps; the store (store.ts) changes job states and calls these for the rest.
import type {
  DependencyFailure,
  DependencyKind,
  FindEventsOptions,
  StoredEvent,
  StoredStep,
} from "../../jobs/workflow-store.ts";

export interface MemoryDependency {
  readonly waiter: number;
  readonly dependency: number;
  readonly kind: DependencyKind;
  readonly onFailure: DependencyFailure;
  settled: boolean;
}

export class MemoryWorkflowRows {
  /** Edges by waiter id. */
  readonly dependencies = new Map<number, MemoryDependency[]>();
  /** Steps by job id, then step id; results kept as JSON text (undefined: none). */
  readonly steps = new Map<number, Map<string, { seq: number; result: string | undefined; done: boolean }>>();
  /** Waiting job ids by event name, and each waiting job's event. */
  readonly waitersOf = new Map<string, Set<number>>();
  readonly waitOf = new Map<number, string>();
  /** Events in sending order. */
  readonly events: { id: number; name: string; data: string; sentAt: number }[] = [];
  #lastEventId = 0;

  addDependency(edge: MemoryDependency): void {
    const edges = this.dependencies.get(edge.waiter) ?? [];
    if (edges.some((e) => e.dependency === edge.dependency)) return;
    edges.push(edge);
    this.dependencies.set(edge.waiter, edges);
  }

  saveStep(job: number, step: StoredStep): void {
    const steps = this.steps.get(job) ?? new Map();
    const result = step.result === undefined ? undefined : JSON.stringify(step.result);
    steps.set(step.id, { seq: step.seq, result, done: step.done });
    this.steps.set(job, steps);
  }

  stepsOf(job: number): StoredStep[] {
    const steps = this.steps.get(job);
    if (!steps) return [];
    return [...steps.entries()]
      .map(([id, s]) => ({
        id,
        seq: s.seq,
        result: s.result === undefined ? undefined : JSON.parse(s.result),
        done: s.done,
      }))
      .sort((a, b) => a.seq - b.seq);
  }

  wait(job: number, event: string): void {
    this.clearWait(job);
    this.waitOf.set(job, event);
    const waiters = this.waitersOf.get(event) ?? new Set();
    waiters.add(job);
    this.waitersOf.set(event, waiters);
  }

  clearWait(job: number): void {
    const event = this.waitOf.get(job);
    if (event === undefined) return;
    this.waitOf.delete(job);
    const waiters = this.waitersOf.get(event);
    waiters?.delete(job);
    if (waiters?.size === 0) this.waitersOf.delete(event);
  }

  addEvent(name: string, data: unknown, sentAt: number): void {
    this.events.push({ id: ++this.#lastEventId, name, data: JSON.stringify(data ?? null), sentAt });
  }

  findEvents(name: string, { since, afterId, limit }: FindEventsOptions): StoredEvent[] {
    const after = afterId === undefined || afterId === null ? 0 : Number(afterId);
    return this.events
      .filter((e) => e.name === name && e.sentAt >= since && e.id > after)
      .slice(0, limit)
      .map((e) => ({ id: String(e.id), data: JSON.parse(e.data), sentAt: e.sentAt }));
  }

  /** Everything of a deleted job. Edges where it is the dependency stay: a waiter reads them as ended. */
  forget(job: number): void {
    this.dependencies.delete(job);
    this.steps.delete(job);
    this.clearWait(job);
  }

  pruneEvents(sentBefore: number): void {
    const kept = this.events.filter((e) => e.sentAt >= sentBefore);
    this.events.splice(0, this.events.length, ...kept);
  }
}
