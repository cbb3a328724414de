import { JobsError } from "../jobs/errors.ts";

/**
 * A workflow run by runJob() slept or waited for an event: runJob runs one attempt and cannot wait,
 * so the run stops here, with nothing stored.
 */
export class RunJobSuspendedError extends JobsError {
  override name = "RunJobSuspendedError";
  constructor(readonly jobName: string) {
    super(
      `Workflow "${jobName}" slept or waited for an event inside runJob(), which runs one attempt and cannot wait. ` +
        "Enqueue it with jobs.enqueue and call drain({ withScheduled: true }) (for a sleep) or jobs.sendEvent then drain() (for an event).",
    );
  }
}
