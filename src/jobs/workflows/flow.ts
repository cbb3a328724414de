// Flows and `after`: the rows and edges jobs.enqueueFlow and enqueue({ after }) hand to the store.
import type { AnyJobDefinition, JobDefinition } from "../define-job.ts";
import { describeValue } from "../describe-value.ts";
import type { EnqueueJobOptions } from "../new-job.ts";
import type { NewJob } from "../store.ts";
import { type EnqueuedGraphJob, type NewDependency, parkedRunAt } from "../workflow-store.ts";
import { InvalidFlowError } from "./errors.ts";

/** What a dead (or cancelled) child does to its parent: "fail" makes it dead; "continue" runs it anyway. */
export type ChildFailure = "fail" | "continue";

interface FlowNodeOptions {
  /** Default "fail". */
  onChildFailure?: ChildFailure;
  /** Idempotency key of this job. */
  key?: string;
  priority?: number;
}

/**
 * A child of a flow. Its payload is checked against its job's schema at enqueue (InvalidPayloadError,
 * nothing written), as every payload is; only the parent's payload is typed at compile time.
 */
export interface FlowChild extends FlowNodeOptions {
  job: AnyJobDefinition;
  payload: unknown;
  children?: readonly FlowChild[];
}

/** jobs.enqueueFlow's argument: the parent, run once every child has ended. */
export interface FlowSpec<P> extends FlowNodeOptions {
  job: JobDefinition<P>;
  payload: NoInfer<P>;
  children: readonly FlowChild[];
}

/** The ids of a stored flow, in the shape of its spec. */
export interface EnqueuedFlow {
  id: string;
  children: EnqueuedFlow[];
}

export interface FlowRows {
  nodes: { def: AnyJobDefinition; payload: unknown; options: EnqueueJobOptions; parked: boolean }[];
  edges: NewDependency[];
  /** Each node's parent index (-1: the root), for the store (GraphOptions.flow). */
  parents: number[];
  /**
   * Rebuilds the tree from the store's results, in input order; a node whose key matched an existing
   * job is that job's stored flow (its spec subtree was not written).
   */
  tree(results: readonly EnqueuedGraphJob[]): EnqueuedFlow;
}

/** Flattens the tree depth first: each parent before its children, parked when it has any. */
export function flowRows(spec: FlowChild): FlowRows {
  const nodes: FlowRows["nodes"] = [];
  const edges: NewDependency[] = [];
  const shape: number[][] = [];
  const parents: number[] = [];
  const visit = (node: FlowChild, depth: number, parent: number): number => {
    if (depth > 64)
      throw new InvalidFlowError("enqueueFlow: flows nest at most 64 levels (is a child its own ancestor?).");
    if (!node || typeof node !== "object" || !node.job)
      throw new InvalidFlowError("enqueueFlow: every node needs { job, payload } (job: a job definition).");
    const onFailure = node.onChildFailure ?? "fail";
    if (onFailure !== "fail" && onFailure !== "continue")
      throw new InvalidFlowError(
        `enqueueFlow: onChildFailure must be "fail" or "continue", got ${describeValue(onFailure)}.`,
      );
    const children = node.children ?? [];
    const index = nodes.length;
    const options: EnqueueJobOptions = {
      ...(node.key === undefined ? {} : { key: node.key }),
      ...(node.priority === undefined ? {} : { priority: node.priority }),
    };
    nodes.push({ def: node.job, payload: node.payload, options, parked: children.length > 0 });
    shape.push([]);
    parents.push(parent);
    for (const child of children) {
      const childIndex = visit(child, depth + 1, index);
      shape[index]!.push(childIndex);
      edges.push({ waiter: index, dependency: childIndex, kind: "child", onFailure });
    }
    return index;
  };
  visit(spec, 0, -1);
  const tree = (results: readonly EnqueuedGraphJob[], at = 0): EnqueuedFlow =>
    results[at]!.existing ?? { id: results[at]!.id, children: shape[at]!.map((child) => tree(results, child)) };
  return { nodes, edges, parents, tree: (results) => tree(results) };
}

/** The ids a job waits for with enqueue({ after }), checked. */
export function afterIds(job: string, after: string | readonly string[] | undefined): string[] {
  if (after === undefined) return [];
  const ids = typeof after === "string" ? [after] : [...after];
  if (ids.length === 0 || ids.some((id) => typeof id !== "string" || id === ""))
    throw new InvalidFlowError(`Job "${job}": after must be a job id or a non-empty array of job ids.`);
  return ids;
}

/** A row that waits (a flow parent, a job with `after`): stored parked, due once settled. */
export function parked(row: NewJob): NewJob {
  return { ...row, runAt: parkedRunAt };
}
