import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { emailTemplates } from "../../emails/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs } from "../../src/jobs/index.ts";
import { createMailer, defineMailJob, mailOutbox, memoryTransport } from "../../src/mail/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";
import { FakeResend } from "../support/fake-resend.ts";
import { confirmation, until } from "./helpers.ts";

const MAILS = 60;
const fixture = join(import.meta.dir, "fixtures", "mail-worker.ts");
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function crashRun(batching: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "errand-mail-crash-"));
  const fake = new FakeResend({ latencyMs: 40, randomFaults: { hang: 0.05, "500": 0.1 }, seed: 3 });
  cleanup.push(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const dbPath = join(dir, "jobs.sqlite");

  // The parent only enqueues (same job definition, store not started), as a web process would.
  const mailer = createMailer({
    templates: emailTemplates,
    transport: memoryTransport(),
    from: "Errand <no-reply@errand.dev>",
  });
  const store = sqliteStore({ path: dbPath });
  const job = defineMailJob(mailer);
  const jobs = createJobs({ store, jobs: [job], logger: silentLogger });
  cleanup.push(() => store.close());
  const outbox = mailOutbox(job, jobs);
  for (let i = 0; i < MAILS; i++) await outbox.enqueue("confirmation", confirmation(i));

  let child: Subprocess | undefined;
  const spawnWorker = () => {
    child = Bun.spawn([process.execPath, fixture], {
      env: {
        ...process.env,
        DB_PATH: dbPath,
        LEDGER_PATH: batching ? join(dir, "ledger.sqlite") : "",
        RESEND_BASE_URL: fake.url,
        RESEND_API_KEY: fake.apiKey,
      },
      stdout: "ignore",
      stderr: "inherit",
    });
  };
  cleanup.push(async () => {
    child?.kill("SIGKILL");
    await child?.exited;
  });

  // Two SIGKILLs while requests are in flight (the fake holds each one 40 ms), then a worker that finishes.
  for (const killAt of [MAILS * 0.25, MAILS * 0.6]) {
    spawnWorker();
    await until(() => fake.deliveries.length >= killAt, `${killAt} deliveries`, 20_000);
    child!.kill("SIGKILL");
    await child!.exited;
  }
  spawnWorker();
  await until(async () => (await jobs.counts()).byState.succeeded === MAILS, "every mail to succeed", 30_000);

  for (let i = 0; i < MAILS; i++) expect(fake.deliveriesTo(`user${i}@example.com`)).toHaveLength(1);
  expect(fake.deliveries).toHaveLength(MAILS);
  expect((await jobs.counts()).byState.dead).toBe(0);
}

describe("a worker killed with SIGKILL while mails are in flight", () => {
  test("single sends: loses none and delivers none twice", () => crashRun(false), 60_000);
  test("batched sends with the SQLite ledger: loses none and delivers none twice", () => crashRun(true), 60_000);
});
