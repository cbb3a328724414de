import { type EmailTemplates, emailTemplates } from "../../../emails/index.ts";
import { type Clock, systemClock } from "../../clock/index.ts";
import { type CronService, createCron } from "../../cron/index.ts";
import { createJobs, type JobStore, type Jobs } from "../../jobs/index.ts";
import {
  createMailer,
  defineMailJob,
  type Mailer,
  type MailTransport,
  type PreviewStore,
  previewTransport,
  resendTransport,
} from "../../mail/index.ts";
import { ServiceRegistry } from "../../scope/index.ts";
import type { PostgresTx } from "../../stores/postgres/index.ts";
import type { SqliteTx } from "../../stores/sqlite/index.ts";
import { defineConfirmationMailJob } from "../background/confirmation-mail.ts";
import { JobObserverToken } from "../background/measured.ts";
import { pruneSucceededJobsCron, pruneSucceededJobsJob } from "../background/prune-jobs.ts";
import { tokenCleanupCron, tokenCleanupJob } from "../background/token-cleanup.ts";
import { ClockToken, PrunableJobsToken, RepositoryToken } from "../background/tokens.ts";
import type { AppConfig } from "../config.ts";
import type { ConfirmationMail } from "../db/records.ts";
import type { AppRepository } from "../db/repository.ts";
import { AppMetrics } from "../metrics/app-metrics.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

/** The mail transport: the given one, else Resend with an API key, else the preview store. */
export function chooseTransport(
  config: AppConfig,
  given: MailTransport | undefined,
  preview: () => PreviewStore,
): { transport: MailTransport; previewStore: PreviewStore | null } {
  if (given) return { transport: given, previewStore: null };
  if (config.resendApiKey) {
    return {
      transport: resendTransport({
        apiKey: config.resendApiKey,
        ...(config.resendBaseUrl ? { baseUrl: config.resendBaseUrl } : {}),
      }),
      previewStore: null,
    };
  }
  const previewStore = preview();
  return { transport: previewTransport(previewStore), previewStore };
}

export interface Background<Tx> {
  mailer: Mailer<EmailTemplates>;
  jobs: Jobs<Tx>;
  crons: CronService;
  metrics: AppMetrics;
  /** Queues the confirmation mail in the caller's transaction (the outbox). */
  enqueueConfirmation(tx: Tx, mail: ConfirmationMail): { sync: () => string; async: () => Promise<string> };
  /** Makes the repository available to the job handlers' scopes; call once it exists. */
  provideRepository(repository: AppRepository): void;
}

/**
 * Jobs, crons and mail over any job store: the same for SQLite and PostgreSQL. Handlers get the
 * repository, clock and jobs API from their per-job scope (the registry), not from closures.
 */
export function createBackground<Tx>(
  store: JobStore<Tx>,
  transport: MailTransport,
  options: RuntimeOptions,
): Background<Tx> {
  const { config, logger } = options;
  const clock: Clock = options.clock ?? systemClock;
  const mailer = createMailer({ templates: emailTemplates, transport, from: config.mailFrom });
  const confirmationMailJob = defineConfirmationMailJob(defineMailJob(mailer));
  const registry = new ServiceRegistry();
  const jobs = createJobs<Tx>({
    store,
    jobs: [confirmationMailJob, tokenCleanupJob, pruneSucceededJobsJob],
    registry,
    logger,
    clock,
    retention: { succeededMs: config.succeededJobRetentionHours * 3_600_000 },
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const metrics = new AppMetrics({ jobCounts: () => store.counts(), crons: () => crons.list() });
  registry.singleton(ClockToken, () => clock);
  registry.singleton(JobObserverToken, () => metrics);
  registry.singleton(PrunableJobsToken, () => jobs);
  const crons = createCron({ jobs, crons: [tokenCleanupCron, pruneSucceededJobsCron], clock, logger });
  return {
    mailer,
    jobs,
    crons,
    metrics,
    enqueueConfirmation(tx, mail) {
      const payload = () => confirmationPayload(mailer, mail);
      return {
        sync: () => jobs.enqueueSync(confirmationMailJob, payload(), { tx }),
        async: () => jobs.enqueue(confirmationMailJob, payload(), { tx }),
      };
    },
    provideRepository: (repository) => void registry.singleton(RepositoryToken, () => repository),
  };
}

/** What both runtimes share once their storage is open: the background parts plus the repository. */
export function assembleRuntime(
  background: Background<SqliteTx> | Background<PostgresTx>,
  parts: { repository: AppRepository; previewStore: PreviewStore | null; close: () => Promise<void> },
): AppRuntime {
  const { jobs, crons, metrics, mailer } = background;
  return { ...parts, jobs, crons, metrics, mailer, services: [jobs, crons] };
}

/** Validates the template props now (a typed error at the call site), in the mail job's payload shape. */
function confirmationPayload(mailer: Mailer<EmailTemplates>, mail: ConfirmationMail) {
  const checked = mailer.check("confirmation", {
    to: mail.to,
    props: { displayName: mail.displayName, confirmUrl: mail.confirmUrl },
  });
  const to = typeof checked.to === "string" ? [checked.to] : [...checked.to];
  return { requestId: mail.requestId, mail: { template: "confirmation", to, props: checked.props } };
}
