import type { Jobs } from "../jobs/jobs.ts";
import type { CronJobs } from "./cron-jobs.ts";
declare const jobs: Jobs<unknown>;
export const port: CronJobs = jobs;
