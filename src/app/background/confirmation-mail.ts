import { Type } from "@sinclair/typebox";
import { defineJob, type JobDefinition } from "../../jobs/index.ts";
import { type MailJobPayload, mailJobPayload } from "../../mail/index.ts";
import { measured } from "./measured.ts";

export const confirmationMailPayload = Type.Object({
  /** The request that registered the user: bound into every log line of this job. */
  requestId: Type.String(),
  mail: mailJobPayload,
});

/**
 * The confirmation mail as its own job: the mail job's delivery (rendering, idempotency key from the
 * job id, retry classification) with the originating request id carried into the job's logs.
 */
export function defineConfirmationMailJob(mailJob: JobDefinition<MailJobPayload>) {
  return defineJob({
    name: "app.confirmation-mail",
    payload: confirmationMailPayload,
    attempts: mailJob.attempts,
    ...(mailJob.backoff ? { backoff: mailJob.backoff } : {}),
    ...(mailJob.timeoutMs ? { timeoutMs: mailJob.timeoutMs } : {}),
    handler: measured(async (payload, ctx) => {
      await mailJob.handler(payload.mail, { ...ctx, logger: ctx.logger.child({ requestId: payload.requestId }) });
    }),
  });
}
