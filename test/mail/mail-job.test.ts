// A mail job of your own: the payload is a reference, the handler builds the mail when it runs and
// sends it with sendMailFromJob, under the mail job's retry policy (mailJobSpec).
import { afterEach, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { emailTemplates } from "../../emails/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob, type Jobs } from "../../src/jobs/index.ts";
import { createMailer, mailJobSpec, memoryTransport, sendMailFromJob } from "../../src/mail/index.ts";
import { type SqliteTx, sqliteStore } from "../../src/stores/sqlite/index.ts";
import { until } from "./helpers.ts";

let running: Jobs<SqliteTx> | undefined;
afterEach(async () => {
  await running?.stop(AbortSignal.timeout(1_000));
  await running?.store.close();
  running = undefined;
});

const transport = memoryTransport();
const mailer = createMailer({ templates: emailTemplates, transport, from: "Errand <no-reply@errand.dev>" });
const welcomeByName = defineJob({
  name: "welcome-by-name",
  payload: Type.Object({ name: Type.String() }),
  ...mailJobSpec({ attempts: 3 }),
  handler: async ({ name }, ctx) => {
    const appUrl = name === "broken" ? "not a url" : "https://app.example";
    await sendMailFromJob(mailer, "welcome", { to: `${name}@example.com`, props: { displayName: name, appUrl } }, ctx, {
      keyPrefix: "my-app",
    });
  },
});

async function start(): Promise<Jobs<SqliteTx>> {
  running = createJobs({ store: sqliteStore({ path: ":memory:" }), jobs: [welcomeByName], logger: silentLogger });
  await running.start(new AbortController().signal);
  return running;
}

test("the mail is built when the job runs and sent under a key derived from the job", async () => {
  const jobs = await start();
  const id = await jobs.enqueue(welcomeByName, { name: "ada" });
  await until(async () => (await jobs.get(id))?.state === "succeeded", "the job");
  const sent = transport.to("ada@example.com");
  expect(sent).toHaveLength(1);
  expect(sent[0]!.subject).toBe("Welcome aboard, ada");
  expect(sent[0]!.idempotencyKey).toMatch(new RegExp(`^my-app/${id}-\\d+$`));
});

test("a mail that cannot be sent as built (props the template refuses) is dead at once, not retried", async () => {
  const jobs = await start();
  const id = await jobs.enqueue(welcomeByName, { name: "broken" });
  await until(async () => (await jobs.get(id))?.state === "dead", "the job to die");
  const job = await jobs.get(id);
  expect(job).toMatchObject({ attempts: 1, maxAttempts: 3 });
  expect(job!.errors.at(-1)!.message).toContain('Invalid props for mail template "welcome"');
  expect(transport.to("broken@example.com")).toHaveLength(0);
});
