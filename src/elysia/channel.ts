import { type AnyElysia, Elysia } from "elysia";
import { type ChannelOptions, createChannel } from "../channel/index.ts";
import type { Logger } from "../hosting/index.ts";
import { type QueueHandler, queueWorker } from "../queue/index.ts";
import type { ServiceRegistry } from "../scope/index.ts";
import { withHostedService } from "./hosting.ts";

/** The queue worker that drains the channel, registered with the app's Host. */
export interface ChannelWorkerOptions<T> {
  concurrency?: number;
  handle: QueueHandler<T>;
  timeoutMs?: number;
  registry?: ServiceRegistry;
  logger?: Logger;
}

export type ChannelPluginOptions<T> = ChannelOptions<T> & { worker?: ChannelWorkerOptions<T> };

/**
 * An in-memory channel as a named plugin: decorates the context with the channel's writer under
 * `name` (`ctx.analytics.write(event)`). With `worker`, a queueWorker named `channel:<name>` reads it
 * under the Host from `hosting()`, which must be used earlier. The item type comes from
 * `worker.handle`'s parameter, or from `options` typed as `ChannelOptions<T>`.
 */
export function channel<const Name extends string, T>(name: Name, options: ChannelPluginOptions<T> = {}) {
  const { worker, ...channelOptions } = options;
  const created = createChannel<T>(channelOptions);
  const plugin = new Elysia({ name: `errand.channel.${name}` }).decorate(name, created.writer);
  return (app: AnyElysia): typeof plugin => {
    if (!worker) return app.use(plugin) as unknown as typeof plugin;
    const service = queueWorker({ ...worker, name: `channel:${name}`, channel: created });
    return withHostedService(service, plugin)(app);
  };
}
