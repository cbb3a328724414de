// The memory store's rows for flows and workflows: dependency edges, steps, event waits and events.
// Plain maps; the store (store.ts) changes job states and calls these for the rest.
import type { DependencyFailure, DependencyKind, StoredEvent, StoredStep } from "../../jobs/workflow-store.ts";

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
  readonly events: { name: string; data: string; sentAt: number }[] = [];

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

  findEvent(name: string, since: number): StoredEvent | null {
    const event = this.events.find((e) => e.name === name && e.sentAt >= since);
    return event ? { data: JSON.parse(event.data), sentAt: event.sentAt } : null;
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
