import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Clock, systemClock } from "../clock/index.ts";
import { createCron, type CronService } from "../cron/index.ts";
import type { HostedService } from "../hosting/index.ts";
import { createJobs, type Jobs } from "../jobs/index.ts";
import {
  createMailer,
  defineMailJob,
  type Mailer,
  type MailTransport,
  previewTransport,
  resendTransport,
  sqlitePreviewStore,
  type PreviewStore,
} from "../mail/index.ts";
import { ServiceRegistry } from "../scope/index.ts";
import { type SqliteTx, sqliteStore } from "../stores/sqlite/index.ts";
import { emailTemplates, type EmailTemplates } from "../../emails/index.ts";
import { defineConfirmationMailJob } from "./background/confirmation-mail.ts";
import { pruneSucceededJobsCron, pruneSucceededJobsJob } from "./background/prune-jobs.ts";
import { tokenCleanupCron, tokenCleanupJob } from "./background/token-cleanup.ts";
import { ClockToken, PrunableJobsToken, RepositoryToken } from "./background/tokens.ts";
import type { AppConfig } from "./config.ts";
import type { ConfirmationMail } from "./db/records.ts";
import type { AppRepository } from "./db/repository.ts";
import { migrationsDir } from "./db/migrations-dir.ts";
import { openSqliteAppDb, SqliteAppRepository, type SqliteOutbox } from "./db/sqlite/repository.ts";
import type { AppLogger } from "./logger.ts";

export interface RuntimeOptions {
  config: AppConfig;
  logger: AppLogger;
  clock?: Clock;
  /** Where mails go; default: Resend when RESEND_API_KEY is set, else the preview store (/dev/mail). */
  transport?: MailTransport;
  /** Dispatcher polling fallback (ms); tests shorten it. */
  pollIntervalMs?: number;
}

/** Everything the routes and hosted services share: storage, jobs, crons, mail. */
export interface AppRuntime {
  repository: AppRepository;
  jobs: Jobs<SqliteTx>;
  crons: CronService;
  mailer: Mailer<EmailTemplates>;
  /** Mails kept by the preview transport (null when mails really go out). */
  previewStore: PreviewStore | null;
  /** In start order: jobs before cron, so the first tick finds the dispatcher running. */
  services: HostedService[];
  close(): Promise<void>;
}

/**
 * The embedded setup: one SQLite file holds the app's tables, the jobs and the mail previews, on one
 * connection, so a registration and its confirmation-mail job commit in one transaction.
 */
export function openSqliteRuntime(options: RuntimeOptions): AppRuntime {
  const { config, logger } = options;
  if (config.database.kind !== "sqlite") {
    throw new Error("openSqliteRuntime needs a SQLite DATABASE_URL; PostgreSQL is not wired into the reference app yet.");
  }
  const clock = options.clock ?? systemClock;
  const database = openDatabase(config.database.path);
  const db = openSqliteAppDb(database);
  const store = sqliteStore({ database, migrationsFolder: migrationsDir("drizzle/sqlite") });
  const previewStore = options.transport || config.resendApiKey ? null : sqlitePreviewStore({ database });
  const transport =
    options.transport ??
    (previewStore ? previewTransport(previewStore) : resendTransport({ apiKey: config.resendApiKey!, ...baseUrl(config) }));
  const mailer = createMailer({ templates: emailTemplates, transport, from: config.mailFrom });
  const confirmationMailJob = defineConfirmationMailJob(defineMailJob(mailer));

  const registry = new ServiceRegistry();
  const jobs = createJobs<SqliteTx>({
    store,
    jobs: [confirmationMailJob, tokenCleanupJob, pruneSucceededJobsJob],
    registry,
    logger,
    clock,
    retention: { succeededMs: config.succeededJobRetentionHours * 3_600_000 },
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const outbox: SqliteOutbox = (tx, mail) => {
    jobs.enqueueSync(confirmationMailJob, confirmationPayload(mailer, mail), { tx });
  };
  const repository = new SqliteAppRepository(db, outbox);
  registry.singleton(RepositoryToken, () => repository);
  registry.singleton(ClockToken, () => clock);
  registry.singleton(PrunableJobsToken, () => jobs);
  const crons = createCron({ jobs, crons: [tokenCleanupCron, pruneSucceededJobsCron], clock, logger });

  return {
    repository,
    jobs,
    crons,
    mailer,
    previewStore,
    services: [jobs, crons],
    close: async () => {
      await store.close();
      database.close();
    },
  };
}

function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path, { create: true, readwrite: true });
  // Same settings as the jobs store's own connection: WAL, commits survive a process crash, waits on locks.
  database.run("PRAGMA journal_mode = WAL");
  database.run("PRAGMA synchronous = NORMAL");
  database.run("PRAGMA busy_timeout = 5000");
  database.run("PRAGMA foreign_keys = ON");
  return database;
}

function baseUrl(config: AppConfig): { baseUrl?: string } {
  return config.resendBaseUrl ? { baseUrl: config.resendBaseUrl } : {};
}

/** Validates the template props now (a typed error at the call site), in the mail job's payload shape. */
function confirmationPayload(mailer: Mailer<EmailTemplates>, mail: ConfirmationMail) {
  const checked = mailer.check("confirmation", { to: mail.to, props: { displayName: mail.displayName, confirmUrl: mail.confirmUrl } });
  const to = typeof checked.to === "string" ? [checked.to] : [...checked.to];
  return { requestId: mail.requestId, mail: { template: "confirmation", to, props: checked.props } };
}
