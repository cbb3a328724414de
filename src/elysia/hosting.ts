import { type AnyElysia, Elysia } from "elysia";
import { Host, type HostedService, type HostOptions } from "../hosting/index.ts";
import { consoleLogger } from "../hosting/logger.ts";
import { HostingPluginMissingError } from "./errors.ts";

/**
 * The one Host of an app, as a named (deduplicated) plugin: decorates the context with `host`, starts
 * the host on `onStart` (unless `serve()` or a test already started it) and stops it on `onStop`.
 * Elysia awaits neither hook and handles no signals: `serve()` owns the shutdown sequence.
 */
export function hosting(options: HostOptions = {}) {
  const host = new Host(options);
  const logger = (options.logger ?? consoleLogger).child({ component: "hosting" });
  return new Elysia({ name: "errand.hosting" })
    .decorate("host", host)
    .onStart(() => {
      if (host.state !== "created") return;
      host.start().catch((error: unknown) => logger.error({ err: error }, "host failed to start"));
    })
    .onStop(() => {
      if (host.state === "started") void host.stop();
    });
}

/** The Host that `hosting()` put on this app. */
export function hostOf(app: AnyElysia, serviceName = "app"): Host {
  const host = (app.decorator as { host?: unknown }).host;
  if (!(host instanceof Host)) throw new HostingPluginMissingError(serviceName);
  return host;
}

/**
 * How a capability plugin joins the host: returns a functional plugin that, when `.use`d, registers
 * `service` with the app's Host (which must come from an earlier `.use(hosting())`) and then mounts
 * `plugin`, keeping the plugin's decorations typed on the app.
 */
export function withHostedService<const Plugin extends AnyElysia>(service: HostedService, plugin: Plugin) {
  return (app: AnyElysia): Plugin => {
    hostOf(app, service.name).add(service);
    return app.use(plugin) as unknown as Plugin;
  };
}
