import {
  type Clock,
  type CronService,
  createCron,
  createJobs,
  type JobStore,
  type Jobs,
  ServiceRegistry,
  systemClock,
} from "errand";
import {
  createMailer,
  type DeliveryLedger,
  defineMailJob,
  type MailJob,
  type MailTransport,
  type PreviewStore,
  PreviewTransport,
  transportFromEnv,
} from "errand/mail";
import type { PostgresTx } from "errand/postgres";
import type { SqliteTx } from "errand/sqlite";
import { type EmailTemplates, emailTemplates } from "../../../emails/index.ts";
import { ConfirmationLinks } from "../auth/confirmation-links.ts";
import { confirmationMailJob } from "../background/confirmation-mail.ts";
import { pruneSucceededJobsCron, pruneSucceededJobsJob } from "../background/prune-jobs.ts";
import { tokenCleanupCron, tokenCleanupJob } from "../background/token-cleanup.ts";
import {
  ClockToken,
  ConfirmationLinksToken,
  MailerToken,
  PrunableJobsToken,
  RepositoryToken,
} from "../background/tokens.ts";
import type { ConfirmationMail } from "../db/records.ts";
import type { AppRepository } from "../db/repository.ts";
import { AppMetrics } from "../metrics/app-metrics.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

/** Where mails go: the given transport (tests), else the one MAIL_TRANSPORT names (Resend or the preview store). */
export function chooseTransport(
  options: RuntimeOptions,
  previewStore: () => PreviewStore,
): { transport: MailTransport; previewStore: PreviewStore | null } {
  const { config } = options;
  const env = {
    RESEND_API_KEY: config.mailTransport === "resend" ? config.resendApiKey : undefined,
    RESEND_BASE_URL: config.resendBaseUrl,
  };
  const transport = options.transport ?? transportFromEnv(env, previewStore);
  return { transport, previewStore: transport instanceof PreviewTransport ? transport.store : null };
}

export interface Background<Tx> {
  jobs: Jobs<Tx>;
  crons: CronService;
  mailJob: MailJob<EmailTemplates>;
  metrics: AppMetrics;
  links: ConfirmationLinks;
  /** Queues the confirmation mail in the caller's transaction (the outbox). */
  enqueueConfirmation(tx: Tx, mail: ConfirmationMail): { sync: () => string; async: () => Promise<string> };
  /** Makes the repository available to the job handlers' scopes; call once it exists. */
  provideRepository(repository: AppRepository): void;
}

/**
 * Jobs, crons and mail over any job store: the same for SQLite and PostgreSQL. Handlers get the
 * repository, clock, mailer and jobs API from their per-job scope (the registry), not from closures.
 * With a `ledger` (MAIL_BATCHING) the mailer batches queued mails through it.
 */
export function createBackground<Tx>(
  store: JobStore<Tx>,
  transport: MailTransport,
  options: RuntimeOptions,
  ledger?: DeliveryLedger,
): Background<Tx> {
  const { config, logger } = options;
  const clock: Clock = options.clock ?? systemClock;
  const mailer = createMailer({
    templates: emailTemplates,
    transport,
    from: config.mailFrom,
    ...(ledger ? { batching: { ledger } } : {}),
  });
  const mailJob = defineMailJob(mailer);
  const links = new ConfirmationLinks(config.authSecret, config.publicUrl);
  const registry = new ServiceRegistry();
  const jobs = createJobs<Tx>({
    store,
    jobs: [mailJob, confirmationMailJob, tokenCleanupJob, pruneSucceededJobsJob],
    registry,
    logger,
    clock,
    retention: { succeededMs: config.succeededJobRetentionHours * 3_600_000 },
    // Spans through the global API: the SDK main.ts starts (or a test registers) receives them.
    tracing: config.tracing,
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const crons = createCron({ jobs, crons: [tokenCleanupCron, pruneSucceededJobsCron], clock, logger });
  const metrics = new AppMetrics({ jobs, crons, mailer, logger });
  registry
    .singleton(ClockToken, () => clock)
    .singleton(PrunableJobsToken, () => jobs)
    .singleton(MailerToken, () => mailer)
    .singleton(ConfirmationLinksToken, () => links);
  return {
    jobs,
    crons,
    mailJob,
    metrics,
    links,
    enqueueConfirmation: (tx, { sendAt, ...payload }) => {
      const options = { tx, ...(sendAt === undefined ? {} : { runAt: new Date(sendAt) }) };
      return {
        sync: () => jobs.enqueueSync(confirmationMailJob, payload, options),
        async: () => jobs.enqueue(confirmationMailJob, payload, options),
      };
    },
    provideRepository: (repository) => void registry.singleton(RepositoryToken, () => repository),
  };
}

/** What both runtimes share once their storage is open: the background parts plus the repository. */
export function assembleRuntime(
  background: Background<SqliteTx> | Background<PostgresTx>,
  parts: Pick<AppRuntime, "repository" | "previewStore" | "close">,
): AppRuntime {
  const { jobs, crons, metrics, mailJob, links } = background;
  return { ...parts, jobs, crons, metrics, mailJob, links };
}
