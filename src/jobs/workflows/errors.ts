// Errors of flows and workflows. The workflow ones are NonRetryableError: a replay that cannot match
// its stored steps would fail the same way on every retry, so the job goes dead at once, saying why.
import { JobsError, NonRetryableError } from "../errors.ts";

/** Two steps of one workflow run used the same id: ids name stored results, so they must be unique. */
export class DuplicateStepError extends NonRetryableError {
  override name = "DuplicateStepError";
  constructor(
    readonly workflow: string,
    readonly stepId: string,
  ) {
    super(
      `Workflow "${workflow}" used step id "${stepId}" twice in one run. Step ids name stored results: give each step its own id (e.g. \`charge-\${i}\` in a loop).`,
    );
  }
}

/** A step was called with unusable arguments: the same on every replay, so the job goes dead at once. */
export class InvalidStepError extends NonRetryableError {
  override name = "InvalidStepError";
}

/**
 * The workflow reached its steps in another order than the stored run: its code changed, or it
 * branches on something other than its payload and step results (the clock, Math.random, a fetch
 * outside a step).
 */
export class NonDeterministicWorkflowError extends NonRetryableError {
  override name = "NonDeterministicWorkflowError";
  constructor(
    readonly workflow: string,
    readonly stepId: string,
    readonly position: number,
    readonly stored: string | undefined,
  ) {
    super(
      `Workflow "${workflow}" reached step "${stepId}" at position ${position}, where the stored run has ${
        stored === undefined ? `"${stepId}" at another position` : `"${stored}"`
      }. A workflow must reach the same steps in the same order on every run: move clocks, random values and I/O into step.run, and give a changed workflow a new name.`,
    );
  }
}

/** A step's result (or a workflow's event data) is not JSON: it could not be stored. */
export class StepResultError extends NonRetryableError {
  override name = "StepResultError";
}

/** jobs.sendEvent was given data that JSON cannot hold (a function, a BigInt, a cycle); nothing was sent. */
export class InvalidEventDataError extends JobsError {
  override name = "InvalidEventDataError";
  constructor(
    readonly event: string,
    reason: string,
  ) {
    super(`sendEvent(${JSON.stringify(event)}): its data must be JSON (it is stored and replayed), but ${reason}.`);
  }
}

/** Refuses, naming the event, data that JSON.stringify rejects or turns into nothing. */
export function checkEventData(event: string, data: unknown): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new InvalidEventDataError(
      event,
      `serializing it failed: ${(error instanceof Error ? error.message : String(error)).replace(/\.$/, "")}`,
    );
  }
  if (json === undefined) throw new InvalidEventDataError(event, `a ${typeof data} has no JSON form`);
}

/** enqueueFlow or `after` was given something unusable; nothing was written. */
export class InvalidFlowError extends JobsError {
  override name = "InvalidFlowError";
}
