export { type ChannelPluginOptions, type ChannelWorkerOptions, channel } from "./channel.ts";
export { CronJobsMissingError, type CronPluginOptions, cron } from "./cron.ts";
export { HostingPluginMissingError } from "./errors.ts";
export { hosting, hostOf, withHostedService } from "./hosting.ts";
export { jobs } from "./jobs.ts";
export { type MailPreviewOptions, mailPreview } from "./mail-preview.ts";
export { type MailerPluginOptions, mailer } from "./mailer.ts";
export { type Served, type ServeOptions, serve } from "./serve.ts";
