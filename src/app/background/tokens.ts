import type { Clock } from "../../clock/index.ts";
import { token } from "../../scope/index.ts";
import type { AppRepository } from "../db/repository.ts";

/** Services the app's job handlers resolve from their per-job scope (ctx.scope). */
export const RepositoryToken = token<AppRepository>("app.repository");
export const ClockToken = token<Clock>("app.clock");
/** The jobs API, for jobs that maintain the queue itself (pruning). */
export interface PrunableJobs {
  prune(options?: { olderThanMs?: number }): Promise<number>;
}
export const PrunableJobsToken = token<PrunableJobs>("app.jobs");
