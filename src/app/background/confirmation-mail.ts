import { Type } from "@sinclair/typebox";
import { defineJob, type Logger, NonRetryableError, type Scope } from "errand";
import { type MailRequest, mailJobSpec, type PropsOf, sendMailFromJob } from "errand/mail";
import type { EmailTemplates } from "../../../emails/index.ts";
import { ConfirmationLinksToken, MailerToken, RepositoryToken } from "./tokens.ts";

/** References only: no address, no token (see ConfirmationMail). */
export const confirmationMailPayload = Type.Object({
  userId: Type.String(),
  /** Names the confirmation; the link's token is derived from it with the server's key when the mail is sent. */
  confirmationId: Type.String(),
  /** The request that registered the user: bound into every log line of this job. */
  requestId: Type.String(),
});
type ConfirmationMailPayload = typeof confirmationMailPayload.static;

/**
 * The confirmation mail: built when the job runs, from the user row and the derived link, and sent
 * with the mail job's retry policy and an idempotency key from the job id. Every attempt renders the
 * same mail, so the provider delivers it once.
 */
export const confirmationMailJob = defineJob({
  name: "app.confirmation-mail",
  payload: confirmationMailPayload,
  ...mailJobSpec(),
  handler: async (payload, ctx) => {
    const logger = ctx.logger.child({ requestId: payload.requestId });
    const request = await confirmationRequest(ctx.scope, payload, logger);
    if (!request) return;
    const mailer = ctx.scope.get(MailerToken);
    await sendMailFromJob(mailer, "confirmation", request, { job: ctx.job, signal: ctx.signal, logger });
  },
});

/** The mail to send, or null when there is no one left to confirm. */
async function confirmationRequest(
  scope: Scope,
  payload: ConfirmationMailPayload,
  logger: Logger,
): Promise<MailRequest<PropsOf<EmailTemplates, "confirmation">> | null> {
  const repository = scope.get(RepositoryToken);
  const user = await repository.findUserById(payload.userId);
  if (!user || user.confirmedAt !== null) {
    logger.info({ userId: payload.userId }, "confirmation mail not sent: the account is gone or already confirmed");
    return null;
  }
  const link = scope.get(ConfirmationLinksToken).linkFor(payload.confirmationId);
  if (!(await repository.findConfirmation(link.tokenHash))) {
    throw new NonRetryableError(
      "The confirmation link cannot be rebuilt: AUTH_SECRET changed since the mail was queued. " +
        "The user can ask for a new one with POST /api/users/resend-confirmation.",
    );
  }
  // Nothing the registrant typed goes into this mail: it goes to an address nobody has proven is
  // theirs, so a display name like "Security team: call +1 555 0100" would be phishing from our domain.
  return { to: user.email, props: { confirmUrl: link.url } };
}
