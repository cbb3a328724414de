// `errand/metrics`: Prometheus metrics (prom-client, a peer dependency) fed by job, cron and mail
// events, and the route that serves them. Not part of the `errand` core: prom-client is Node/Bun-only.

export { PromClientMissingError } from "./errors.ts";
export {
  type ChannelDepth,
  ErrandMetrics,
  type ErrandMetricsOptions,
  errandMetrics,
  type MetricsCron,
  type MetricsJobs,
  type MetricsMailer,
} from "./metrics.ts";
export { bearerTokens, type MetricsRouteOptions, metricsRoute } from "./route.ts";
