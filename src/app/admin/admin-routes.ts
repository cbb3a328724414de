import { Elysia, t } from "elysia";
import { ErrorBody } from "../http/error-body.ts";
import { NotFoundError } from "../http/errors.ts";
import { type RateLimiter, rateLimit } from "../http/rate-limit.ts";
import { requireAdminBearer } from "./admin-auth.ts";
import { type AdminCrons, type AdminJobs, countRows, retryAllDead } from "./admin-ports.ts";

const State = t.Union([
  t.Literal("scheduled"),
  t.Literal("ready"),
  t.Literal("running"),
  t.Literal("succeeded"),
  t.Literal("failed"),
  t.Literal("dead"),
  t.Literal("cancelled"),
]);
const AttemptError = t.Object({
  attempt: t.Integer(),
  at: t.Integer(),
  name: t.String(),
  message: t.String(),
  stack: t.Optional(t.String()),
  workerId: t.Optional(t.String()),
});
const Job = t.Object({
  id: t.String(),
  name: t.String(),
  queue: t.String(),
  state: State,
  payload: t.Unknown(),
  priority: t.Integer(),
  attempts: t.Integer(),
  maxAttempts: t.Integer(),
  key: t.Nullable(t.String()),
  enqueuedAt: t.Integer(),
  runAt: t.Integer(),
  lockedBy: t.Nullable(t.String()),
  leaseExpiresAt: t.Nullable(t.Integer()),
  finishedAt: t.Nullable(t.Integer()),
  errors: t.Array(AttemptError),
  result: t.Optional(t.Unknown()),
  progress: t.Optional(t.Unknown()),
});
const JobSummary = t.Omit(Job, ["payload", "errors"]);
const Cron = t.Object({
  name: t.String(),
  schedule: t.String(),
  timezone: t.Optional(t.String()),
  enabled: t.Boolean(),
  nextRunAt: t.Nullable(t.String({ format: "date-time" })),
  lastRun: t.Nullable(
    t.Object({
      jobId: t.String(),
      tick: t.Nullable(t.String({ format: "date-time" })),
      state: State,
      finishedAt: t.Nullable(t.String({ format: "date-time" })),
      lastError: t.Nullable(t.String()),
    }),
  ),
});
const unauthorized = { 401: ErrorBody, 429: ErrorBody } as const;
// A well-formed number past the 64-bit range names no job: the store answers it with 404.
const jobId = t.String({ pattern: "^[0-9]{1,20}$" });
const idParams = t.Object({ id: jobId });

export interface AdminRoutesDeps {
  adminToken: string;
  jobs: AdminJobs;
  crons: AdminCrons;
  /** Counts every admin request per client, before the token check: guessing costs requests too. */
  limiter: RateLimiter;
}

/** The admin API under /api/admin: queue counts, jobs, retry/discard, crons. Bearer ADMIN_TOKEN. */
export function adminRoutes({ adminToken, jobs, crons, limiter }: AdminRoutesDeps) {
  return new Elysia({
    name: "app.admin.api",
    prefix: "/api/admin",
    detail: { tags: ["admin"], security: [{ bearer: [] }] },
  })
    .use(rateLimit("admin", limiter))
    .use(requireAdminBearer(adminToken))
    .get("/queues", async () => ({ counts: countRows(await jobs.counts()) }), {
      response: {
        200: t.Object({ counts: t.Array(t.Object({ name: t.String(), state: State, count: t.Integer() })) }),
        ...unauthorized,
      },
      detail: { summary: "Job counts by name and state" },
    })
    .get(
      "/jobs",
      async ({ query }) => {
        const page = await jobs.list({
          limit: query.limit ?? 50,
          ...(query.state ? { state: query.state } : {}),
          ...(query.name ? { name: query.name } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        return {
          jobs: page.jobs.map(({ payload: _p, errors: _e, ...summary }) => summary),
          nextCursor: page.nextCursor,
        };
      },
      {
        query: t.Object({
          state: t.Optional(State),
          name: t.Optional(t.String({ maxLength: 200 })),
          limit: t.Optional(t.Integer({ minimum: 1, maximum: 500 })),
          cursor: t.Optional(jobId),
        }),
        response: {
          200: t.Object({ jobs: t.Array(JobSummary), nextCursor: t.Nullable(t.String()) }),
          422: ErrorBody,
          ...unauthorized,
        },
        detail: { summary: "Jobs, newest first, filtered by state and name, with cursor paging" },
      },
    )
    .get(
      "/jobs/:id",
      async ({ params }) => {
        const job = await jobs.get(params.id);
        if (!job) throw new NotFoundError("No such job.");
        return job;
      },
      {
        params: idParams,
        response: { 200: Job, 404: ErrorBody, ...unauthorized },
        detail: { summary: "One job with payload and attempt errors" },
      },
    )
    .post(
      "/jobs/:id/retry",
      async ({ params }) => {
        if (!(await jobs.retry(params.id))) throw new NotFoundError("No failed or dead job with this id.");
        return { retried: true as const };
      },
      {
        params: idParams,
        response: { 200: t.Object({ retried: t.Literal(true) }), 404: ErrorBody, ...unauthorized },
        detail: { summary: "Retry a failed or dead job now" },
      },
    )
    .post(
      "/jobs/:id/discard",
      async ({ params }) => {
        if (!(await jobs.discard(params.id))) throw new NotFoundError("No such job, or it is running.");
        return { discarded: true as const };
      },
      {
        params: idParams,
        response: { 200: t.Object({ discarded: t.Literal(true) }), 404: ErrorBody, ...unauthorized },
        detail: { summary: "Delete a job that is not running" },
      },
    )
    .post("/queues/:name/retry-dead", async ({ params }) => ({ retried: await retryAllDead(jobs, params.name) }), {
      params: t.Object({ name: t.String({ maxLength: 200 }) }),
      response: { 200: t.Object({ retried: t.Integer() }), ...unauthorized },
      detail: { summary: "Retry every dead job of one name" },
    })
    .get(
      "/crons",
      async () => ({
        crons: (await crons.list()).map((cron) => ({
          name: cron.name,
          schedule: cron.schedule,
          ...(cron.timezone === undefined ? {} : { timezone: cron.timezone }),
          enabled: cron.enabled,
          nextRunAt: cron.nextRunAt?.toISOString() ?? null,
          lastRun: cron.lastRun && {
            jobId: cron.lastRun.jobId,
            tick: cron.lastRun.tick?.toISOString() ?? null,
            state: cron.lastRun.state,
            finishedAt: cron.lastRun.finishedAt?.toISOString() ?? null,
            lastError: cron.lastRun.lastError,
          },
        })),
      }),
      {
        response: { 200: t.Object({ crons: t.Array(Cron) }), ...unauthorized },
        detail: { summary: "Crons with next and last run" },
      },
    )
    .post(
      "/crons/:name/trigger",
      async ({ params }) => {
        const known = (await crons.list()).some((cron) => cron.name === params.name);
        if (!known) throw new NotFoundError("No such cron.");
        return { jobId: await crons.trigger(params.name) };
      },
      {
        params: t.Object({ name: t.String({ maxLength: 200 }) }),
        response: { 200: t.Object({ jobId: t.String() }), 404: ErrorBody, ...unauthorized },
        detail: { summary: "Run a cron now (manual run)" },
      },
    );
}
