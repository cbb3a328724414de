import { type AnyElysia, Elysia } from "elysia";
import type { CronJobs } from "../cron/cron-jobs.ts";
import { CronService, type CronServiceOptions, createCron } from "../cron/cron-service.ts";
import type { CronDefinition } from "../cron/define-cron.ts";
import { withHostedService } from "./hosting.ts";

export type CronPluginOptions = Omit<CronServiceOptions, "crons" | "jobs"> & {
  /** The jobs service to enqueue ticks into (default: the app's `jobs` decoration from the jobs plugin). */
  jobs?: CronJobs;
};

/** The cron plugin found no jobs service: neither `options.jobs` nor a `jobs` decoration on the app. */
export class CronJobsMissingError extends Error {
  override name = "CronJobsMissingError";
  constructor() {
    super(
      "The cron plugin needs the jobs service: `.use(jobs(...))` before `.use(cron(...))` on the same app, " +
        "or pass it as cron(crons, { jobs }). Remember to list each cron's `job` in the jobs service's definitions.",
    );
  }
}

/**
 * Registers the cron scheduler with the app's Host (from `hosting()`, used earlier) and decorates the
 * context with `cron` (list, trigger). Each cron's `job` must be among the jobs service's definitions.
 * Pass the cron definitions, or a service built with createCron to share it with other code (an
 * admin page, metrics); `options` apply only to the definitions form.
 */
export function cron(crons: readonly CronDefinition[] | CronService, options: CronPluginOptions = {}) {
  return (app: AnyElysia) => {
    const service =
      crons instanceof CronService ? crons : createCron({ ...options, crons, jobs: options.jobs ?? jobsOf(app) });
    return withHostedService(service, new Elysia({ name: "errand.cron" }).decorate("cron", service))(app);
  };
}

function jobsOf(app: AnyElysia): CronJobs {
  const jobs = (app.decorator as { jobs?: Partial<CronJobs> }).jobs;
  if (typeof jobs?.enqueue !== "function" || typeof jobs.list !== "function") throw new CronJobsMissingError();
  return jobs as CronJobs;
}
