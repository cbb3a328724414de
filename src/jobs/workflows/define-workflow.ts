// A durable workflow is a job definition whose handler replays stored steps: listed in createJobs,
// started with jobs.enqueue, retried, listed and pruned like any job.
import type { Static, TSchema } from "@sinclair/typebox";
import type { JobContext } from "../context.ts";
import { defineJob, type JobDefinition, type JobSpec, requireFunction } from "../define-job.ts";
import { JobsError } from "../errors.ts";
import { type WorkflowRuntime, workflowRuntime } from "./runtime.ts";
import { type WorkflowStep, WorkflowSteps } from "./steps.ts";

export interface WorkflowSpec<S extends TSchema, R> extends Omit<JobSpec<S>, "handler"> {
  /**
   * The workflow. It must reach the same steps in the same order on every run, given its payload and
   * its steps' results: clocks, random values and I/O belong inside step.run. Its return value
   * (JSON) is the job's result.
   */
  run: (payload: Static<S>, step: WorkflowStep, ctx: JobContext) => Promise<R> | R;
}

/** A workflow run outside createJobs' executors (a test calling the handler by hand). */
export class WorkflowRuntimeMissingError extends JobsError {
  override name = "WorkflowRuntimeMissingError";
  constructor(workflow: string) {
    super(`Workflow "${workflow}" can only run on a Jobs service: list it in createJobs({ jobs }) and enqueue it.`);
  }
}

export function defineWorkflow<S extends TSchema, R = void>(
  spec: WorkflowSpec<S, R>,
): JobDefinition<Static<S>, Awaited<R>> {
  const { run, ...job } = spec;
  requireFunction(spec.name, "run", run);
  return defineJob({
    ...job,
    handler: async (payload, ctx): Promise<Awaited<R>> => {
      const rt = (ctx as JobContext & { [workflowRuntime]?: WorkflowRuntime })[workflowRuntime];
      if (!rt) throw new WorkflowRuntimeMissingError(spec.name);
      const steps = new WorkflowSteps(rt, spec.name, await rt.store.steps(rt.jobId));
      let result: Awaited<R>;
      try {
        result = await run(payload, steps, ctx);
      } catch (error) {
        // The workflow may have caught the suspension itself: the job is suspended all the same.
        throw steps.suspended ?? error;
      }
      if (steps.suspended) throw steps.suspended;
      return result;
    },
  });
}
