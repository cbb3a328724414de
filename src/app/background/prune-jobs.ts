import { Type } from "@sinclair/typebox";
import { defineCron, defineJob } from "errand";
import { PrunableJobsToken } from "./tokens.ts";

/** Deletes succeeded jobs past the retention configured on the jobs service (SUCCEEDED_JOB_RETENTION_HOURS). */
export const pruneSucceededJobsJob = defineJob({
  name: "app.prune-succeeded-jobs",
  payload: Type.Object({}),
  attempts: 5,
  handler: async (_payload, ctx) => {
    const deleted = await ctx.scope.get(PrunableJobsToken).prune();
    if (deleted > 0) ctx.logger.info({ deleted }, "succeeded jobs pruned");
  },
});

/** Daily at 03:30 UTC, a quiet hour for most apps. */
export const pruneSucceededJobsCron = defineCron({
  name: "prune-succeeded-jobs",
  schedule: "30 3 * * *",
  job: pruneSucceededJobsJob,
  payload: {},
});
