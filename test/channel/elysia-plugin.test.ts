import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import type { ChannelOptions } from "../../src/channel/index.ts";
import { channel } from "../../src/elysia/channel.ts";
import { HostingPluginMissingError } from "../../src/elysia/errors.ts";
import { hosting } from "../../src/elysia/hosting.ts";
import { silentLogger } from "../../src/hosting/index.ts";

interface PageView {
  path: string;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await Bun.sleep(1);
}

describe("channel() Elysia plugin", () => {
  test("routes write through ctx.<name>, and the worker registered with the host handles each item in a scope", async () => {
    const handled: PageView[] = [];
    const app = new Elysia()
      .use(hosting({ logger: silentLogger }))
      .use(
        channel("analytics", {
          capacity: 10,
          worker: {
            concurrency: 2,
            logger: silentLogger,
            handle: async (view: PageView, { scope, signal }) => {
              expect(scope.disposed).toBe(false);
              expect(signal.aborted).toBe(false);
              handled.push(view);
            },
          },
        }),
      )
      .post(
        "/views",
        async ({ analytics, body }) => {
          await analytics.write({ path: body.path });
          return { queued: true };
        },
        { body: t.Object({ path: t.String() }) },
      );
    expect(app.decorator.host.services.map((s) => s.name)).toEqual(["channel:analytics"]);
    await app.decorator.host.start();
    for (const path of ["/a", "/b", "/c"]) {
      const response = await app.handle(
        new Request("http://localhost/views", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ path }),
        }),
      );
      expect(await response.json()).toEqual({ queued: true });
    }
    await until(() => handled.length === 3);
    await app.decorator.host.stop();
    expect(handled.map((v) => v.path).sort()).toEqual(["/a", "/b", "/c"]);
  });

  test("without a worker it only decorates the writer and needs no host", async () => {
    const app = new Elysia()
      .use(channel("events", { capacity: 1, fullMode: "drop-write" } as ChannelOptions<string>))
      .get("/", ({ events }) => ({ first: events.tryWrite("a"), second: events.tryWrite("b") }));
    const body = await app.handle(new Request("http://localhost/")).then((r) => r.json());
    expect(body).toEqual({ first: true, second: true });
  });

  test("a worker without hosting() is a clear error", () => {
    const plugin = channel("jobs", { worker: { handle: (_item: number) => {} } });
    expect(() => new Elysia().use(plugin)).toThrow(HostingPluginMissingError);
  });
});
