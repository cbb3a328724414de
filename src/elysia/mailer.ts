import { Elysia } from "elysia";
import type { Jobs } from "../jobs/index.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { TemplateRegistry } from "../mail/template.ts";

export interface MailerPluginOptions<R extends TemplateRegistry, Tx> {
  mailer: Mailer<R>;
  /** The jobs service that runs `mailer.job` (list it in createJobs({ jobs: [mailer.job, ...] })). */
  jobs: Jobs<Tx>;
}

/**
 * Decorates the context with `mail`: `mail.enqueue(template, { to, props }, { tx })` queues a durable
 * mail (what a route should do: the response does not wait for the provider), `mail.send(...)` sends
 * now. The mailer has no hosted service of its own: queued mails run on the jobs service.
 */
export function mailer<R extends TemplateRegistry, Tx>(options: MailerPluginOptions<R, Tx>) {
  return new Elysia({ name: "errand.mailer" }).decorate("mail", options.mailer.withJobs(options.jobs));
}
