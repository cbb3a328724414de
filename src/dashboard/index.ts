// `errand/dashboard`: the operator's pages as an Elysia plugin, over the Jobs and Cron APIs.
export {
  type DashboardSession,
  type DashboardSessionStore,
  MemorySessionStore,
  TokenAuth,
  type TokenAuthOptions,
  tokenAuth,
} from "./auth.ts";
export { type DashboardOptions, dashboard } from "./plugin.ts";
export type { DashboardCron, DashboardJobs } from "./types.ts";
