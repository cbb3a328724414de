// What a workflow's handler reads from its attempt beyond the public JobContext: the store and the
// worker holding the job. Reached through a symbol that only the jobs layer exports internally.
import type { Clock } from "../../clock/index.ts";
import type { JobStore } from "../store.ts";

export const workflowRuntime: unique symbol = Symbol("errand.workflowRuntime");

export interface WorkflowRuntime {
  store: JobStore<unknown>;
  workerId: string;
  clock: Clock;
  jobId: string;
  /** When the workflow was enqueued: its waitForEvent sees events sent from then on. */
  enqueuedAt: number;
}

/**
 * Thrown out of the workflow's handler after the store suspended the job (a sleep, an event wait):
 * the attempt ends without an outcome to write; the job is already scheduled again.
 */
export class WorkflowSuspended extends Error {
  override name = "WorkflowSuspended";
  constructor(readonly runAt: number) {
    super("The workflow is suspended until its sleep ends or its event arrives; this is not a failure.");
  }
}
