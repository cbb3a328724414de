import { Elysia } from "elysia";
import { createJobs, type Jobs, type JobsOptions } from "../jobs/index.ts";
import { withHostedService } from "./hosting.ts";

/**
 * Registers a Jobs service with the app's Host (from `hosting()`, used earlier) and decorates the
 * context with `jobs`, typed: `({ jobs }) => jobs.enqueue(sendWelcome, { to })`. Pass a service built
 * with createJobs (to share it with a worker or cron), or its options.
 */
export function jobs<Tx = never>(serviceOrOptions: Jobs<Tx> | JobsOptions<Tx>) {
  const service = isJobs(serviceOrOptions) ? serviceOrOptions : createJobs(serviceOrOptions);
  // The seed keeps two differently named Jobs services apart; the same one twice is deduplicated.
  return withHostedService(service, new Elysia({ name: "errand.jobs", seed: service.name }).decorate("jobs", service));
}

function isJobs<Tx>(value: Jobs<Tx> | JobsOptions<Tx>): value is Jobs<Tx> {
  return typeof (value as Jobs<Tx>).enqueue === "function" && typeof (value as Jobs<Tx>).start === "function";
}
