/** A capability plugin (jobs, mailer, cron, channel worker) was used on an app without `hosting()` before it. */
export class HostingPluginMissingError extends Error {
  override name = "HostingPluginMissingError";
  constructor(serviceName: string) {
    super(
      `Cannot register hosted service "${serviceName}": the app has no Host. ` +
        "Add `.use(hosting())` before this plugin, on the same Elysia instance.",
    );
  }
}
