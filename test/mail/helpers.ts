import { Database } from "bun:sqlite";
import { emailTemplates } from "../../emails/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, exponentialBackoff, type Jobs } from "../../src/jobs/index.ts";
import {
  type BatchingOptions,
  createMailer,
  defineMailJob,
  type Mailer,
  type MailOutbox,
  type MailTransport,
  mailOutbox,
} from "../../src/mail/index.ts";
import { type SqliteTx, sqliteStore } from "../../src/stores/sqlite/index.ts";

/** Polls until `check` is true; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

export interface QueuedMailer {
  mailer: Mailer<typeof emailTemplates>;
  jobs: Jobs<SqliteTx>;
  /** Queues mails of the mailer's job on `jobs`. */
  outbox: MailOutbox<typeof emailTemplates, SqliteTx>;
  database: Database;
  stop(): Promise<void>;
}

/** A mailer whose queued mails run on a real Jobs service over an in-memory SQLite store. */
export async function startQueuedMailer(options: {
  transport: MailTransport;
  batching?: BatchingOptions;
  executors?: number;
  attempts?: number;
}): Promise<QueuedMailer> {
  const database = new Database(":memory:");
  const mailer = createMailer({
    templates: emailTemplates,
    transport: options.transport,
    from: "Errand <no-reply@errand.dev>",
    ...(options.batching ? { batching: options.batching } : {}),
  });
  const job = defineMailJob(mailer, {
    attempts: options.attempts ?? 25,
    backoff: exponentialBackoff({ baseMs: 50, maxMs: 400 }),
  });
  const jobs = createJobs({
    store: sqliteStore({ database }),
    jobs: [job],
    executors: options.executors ?? 20,
    pollIntervalMs: 25,
    logger: silentLogger,
  });
  await jobs.start(new AbortController().signal);
  return {
    mailer,
    jobs,
    outbox: mailOutbox(job, jobs),
    database,
    stop: async () => {
      await jobs.stop(AbortSignal.timeout(2_000));
      mailer.sender.close();
      database.close();
    },
  };
}

export const confirmation = (i: number) => ({
  to: `user${i}@example.com`,
  props: { displayName: `User ${i}`, confirmUrl: `https://app.example/confirm?token=t${i}` },
});
