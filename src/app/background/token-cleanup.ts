import { Type } from "@sinclair/typebox";
import { defineCron, defineJob } from "errand";
import { ClockToken, RepositoryToken } from "./tokens.ts";

/**
 * The seed's TokenCleanupService as a job: deletes expired refresh tokens, logging the count only when
 * there was something to delete. A failure throws, so the job's retries and history take over and
 * the host keeps running.
 */
export const tokenCleanupJob = defineJob({
  name: "app.token-cleanup",
  payload: Type.Object({}),
  attempts: 5,
  handler: async (_payload, ctx) => {
    const deleted = await ctx.scope.get(RepositoryToken).deleteExpiredRefreshTokens(ctx.scope.get(ClockToken).now());
    if (deleted > 0) ctx.logger.info({ deleted }, "expired refresh tokens deleted");
  },
});

/** Hourly, on the hour; with many instances each tick runs once (its job key is unique per tick). */
export const tokenCleanupCron = defineCron({
  name: "token-cleanup",
  schedule: "0 * * * *",
  job: tokenCleanupJob,
  payload: {},
});
