import { Elysia } from "elysia";
import type { Jobs } from "../jobs/index.ts";
import type { MailJob } from "../mail/mail-job.ts";
import { mailOutbox } from "../mail/outbox.ts";
import type { TemplateRegistry } from "../mail/template.ts";

export interface MailerPluginOptions<R extends TemplateRegistry, Tx> {
  /** The mail job (`defineMailJob(mailer)`), which brings its mailer. */
  job: MailJob<R>;
  /** The jobs service that runs `job`: list it in createJobs({ jobs: [job, ...] }). */
  jobs: Jobs<Tx>;
}

/**
 * Decorates the context with `mail`: `mail.enqueue(template, { to, props }, { tx })` queues a durable
 * mail (what a route should do: the response does not wait for the provider), `mail.send(...)` sends
 * now. The mailer has no hosted service of its own: queued mails run on the jobs service.
 */
export function mailer<R extends TemplateRegistry, Tx>(options: MailerPluginOptions<R, Tx>) {
  return new Elysia({ name: "errand.mailer" }).decorate("mail", mailOutbox(options.job, options.jobs));
}
