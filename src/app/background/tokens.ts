import { type Clock, token } from "errand";
import type { Mailer } from "errand/mail";
import type { EmailTemplates } from "../../../emails/index.ts";
import type { ConfirmationLinks } from "../auth/confirmation-links.ts";
import type { AppRepository } from "../db/repository.ts";

/** Services the app's job handlers resolve from their per-job scope (ctx.scope). */
export const RepositoryToken = token<AppRepository>("app.repository");
export const ClockToken = token<Clock>("app.clock");
export const MailerToken = token<Mailer<EmailTemplates>>("app.mailer");
export const ConfirmationLinksToken = token<ConfirmationLinks>("app.confirmation-links");
/** The jobs API, for jobs that maintain the queue itself (pruning). */
export interface PrunableJobs {
  prune(options?: { olderThanMs?: number }): Promise<number>;
}
export const PrunableJobsToken = token<PrunableJobs>("app.jobs");
