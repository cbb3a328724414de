export { HostingPluginMissingError } from "./errors.ts";
export { hosting, hostOf, withHostedService } from "./hosting.ts";
export { type Served, type ServeOptions, serve } from "./serve.ts";
export { cron, CronJobsMissingError, type CronPluginOptions } from "./cron.ts";
export { mailer, type MailerPluginOptions } from "./mailer.ts";
export { mailPreview, type MailPreviewOptions } from "./mail-preview.ts";
export { jobs } from "./jobs.ts";
export { channel, type ChannelPluginOptions, type ChannelWorkerOptions } from "./channel.ts";
