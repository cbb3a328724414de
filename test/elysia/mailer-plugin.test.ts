import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { emailTemplates } from "../../emails/index.ts";
import { mailer } from "../../src/elysia/mailer.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs } from "../../src/jobs/index.ts";
import { createMailer, defineMailJob, memoryTransport } from "../../src/mail/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";

const database = new Database(":memory:");
const transport = memoryTransport();
const mailJob = defineMailJob(
  createMailer({ templates: emailTemplates, transport, from: "Errand <no-reply@errand.dev>" }),
);
const jobs = createJobs({
  store: sqliteStore({ database }),
  jobs: [mailJob],
  logger: silentLogger,
  pollIntervalMs: 20,
});
afterAll(async () => {
  await jobs.stop(AbortSignal.timeout(1000));
  database.close();
});

test("ctx.mail.enqueue queues a typed mail from a route; the jobs service delivers it", async () => {
  const app = new Elysia().use(mailer({ job: mailJob, jobs })).post(
    "/register",
    async ({ mail, body, set }) => {
      const jobId = await mail.enqueue("confirmation", {
        to: body.email,
        props: { displayName: body.name, confirmUrl: "https://x.example/c" },
      });
      set.status = 202;
      return { jobId };
    },
    { body: t.Object({ email: t.String(), name: t.String() }) },
  );
  const response = await app.handle(
    new Request("http://localhost/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@example.com", name: "Ada" }),
    }),
  );
  expect(response.status).toBe(202);
  const { jobId } = (await response.json()) as { jobId: string };
  expect(transport.sent).toHaveLength(0);
  await jobs.start(new AbortController().signal);
  const deadline = Date.now() + 5000;
  while (transport.sent.length === 0 && Date.now() < deadline) await Bun.sleep(10);
  expect(transport.last()?.to).toEqual(["ada@example.com"]);
  expect(transport.last()?.idempotencyKey).toStartWith(`errand-mail/${jobId}-`);
});
