import type { EmailTemplates } from "../../../emails/index.ts";
import type { Clock } from "../../clock/index.ts";
import type { CronService } from "../../cron/index.ts";
import type { HostedService } from "../../hosting/index.ts";
import type { Jobs } from "../../jobs/index.ts";
import type { Mailer, MailTransport, PreviewStore } from "../../mail/index.ts";
import type { PostgresTx } from "../../stores/postgres/index.ts";
import type { SqliteTx } from "../../stores/sqlite/index.ts";
import type { AppConfig } from "../config.ts";
import type { AppRepository } from "../db/repository.ts";
import type { AppLogger } from "../logger.ts";
import type { AppMetrics } from "../metrics/app-metrics.ts";

export interface RuntimeOptions {
  config: AppConfig;
  logger: AppLogger;
  clock?: Clock;
  /** Where mails go; default: Resend when RESEND_API_KEY is set, else the preview store (/dev/mail). */
  transport?: MailTransport;
  /** Dispatcher polling fallback (ms); tests shorten it. */
  pollIntervalMs?: number;
}

export type AppJobs = Jobs<SqliteTx> | Jobs<PostgresTx>;

/** Everything the routes and hosted services share: storage, jobs, crons, mail. */
export interface AppRuntime {
  repository: AppRepository;
  jobs: AppJobs;
  crons: CronService;
  /** Prometheus metrics; job handlers report into it through their scope. */
  metrics: AppMetrics;
  mailer: Mailer<EmailTemplates>;
  /** Mails kept by the preview transport (null when mails really go out). */
  previewStore: PreviewStore | null;
  /** In start order: jobs before cron, so the first tick finds the dispatcher running. */
  services: HostedService[];
  close(): Promise<void>;
}
