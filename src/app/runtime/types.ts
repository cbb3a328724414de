import type { Clock, CronService, Jobs } from "errand";
import type { MailJob, MailTransport, PreviewStore } from "errand/mail";
import type { PostgresTx } from "errand/postgres";
import type { SqliteTx } from "errand/sqlite";
import type { EmailTemplates } from "../../../emails/index.ts";
import type { ConfirmationLinks } from "../auth/confirmation-links.ts";
import type { AppConfig } from "../config.ts";
import type { AppRepository } from "../db/repository.ts";
import type { AppLogger } from "../logger.ts";
import type { AppMetrics } from "../metrics/app-metrics.ts";

export interface RuntimeOptions {
  config: AppConfig;
  logger: AppLogger;
  clock?: Clock;
  /** Where mails go; default: what MAIL_TRANSPORT names (Resend, or the preview store shown at /dev/mail). */
  transport?: MailTransport;
  /** Dispatcher polling fallback (ms); tests shorten it. */
  pollIntervalMs?: number;
}

export type AppJobs = Jobs<SqliteTx> | Jobs<PostgresTx>;

/**
 * Everything the routes and plugins share: storage, the jobs service, the crons and the mail job
 * (with its mailer). createApp hands jobs, the mail job and crons to Errand's Elysia plugins, which
 * run them under the app's Host.
 */
export interface AppRuntime {
  repository: AppRepository;
  jobs: AppJobs;
  crons: CronService;
  /** The generic mail job (`ctx.mail.enqueue`); `mailJob.mailer` renders and sends. */
  mailJob: MailJob<EmailTemplates>;
  /** Prometheus metrics: Errand's (from job, cron and mail events) and the app's HTTP timings. */
  metrics: AppMetrics;
  /** Derives confirmation links (registration, and the mail job when it sends). */
  links: ConfirmationLinks;
  /** Mails kept by the preview transport (null when mails really go out). */
  previewStore: PreviewStore | null;
  close(): Promise<void>;
}
