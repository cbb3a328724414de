import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { HostingPluginMissingError, hosting, serve, withHostedService } from "../../src/elysia/index.ts";
import { type HostedService, silentLogger } from "../../src/hosting/index.ts";

function service(log: string[], name: string): HostedService {
  return { name, start: async () => void log.push(`start ${name}`), stop: async () => void log.push(`stop ${name}`) };
}

describe("hosting() plugin", () => {
  test("decorates the context with the host and registers capability services in use order", async () => {
    const log: string[] = [];
    const app = new Elysia()
      .use(hosting({ logger: silentLogger }))
      .use(withHostedService(service(log, "a"), new Elysia({ name: "a" }).decorate("a", { hello: "from a" })))
      .use(withHostedService(service(log, "b"), new Elysia({ name: "b" })))
      .get("/", ({ host, a }) => ({ state: host.state, services: host.services.map((s) => s.name), a: a.hello }));
    await app.decorator.host.start();
    const body = await app.handle(new Request("http://localhost/")).then((r) => r.json());
    expect(body).toEqual({ state: "started", services: ["a", "b"], a: "from a" });
    await app.decorator.host.stop();
    expect(log).toEqual(["start a", "start b", "stop b", "stop a"]);
  });

  test("listen() starts the host on onStart and stop() stops it", async () => {
    const log: string[] = [];
    const app = new Elysia()
      .use(hosting({ logger: silentLogger }))
      .use(withHostedService(service(log, "a"), new Elysia({ name: "a" })));
    app.listen({ port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) =>
      app.decorator.host.addEventListener("started", () => resolve(), { once: true }),
    );
    expect(log).toEqual(["start a"]);
    await app.stop();
    await app.decorator.host.stopped;
    expect(log).toEqual(["start a", "stop a"]);
  });

  test("a capability plugin without hosting() is a clear error", () => {
    const plugin = withHostedService(service([], "jobs"), new Elysia({ name: "jobs" }));
    expect(() => new Elysia().use(plugin)).toThrow(HostingPluginMissingError);
    expect(() => new Elysia().use(plugin)).toThrow(/hosting\(\)/);
  });

  test("the same plugin used twice registers its service once", async () => {
    const log: string[] = [];
    const plugin = withHostedService(service(log, "a"), new Elysia({ name: "a" }));
    const app = new Elysia()
      .use(hosting({ logger: silentLogger }))
      .use(plugin)
      .use(plugin);
    expect(app.decorator.host.services).toHaveLength(1);
  });
});

describe("serve()", () => {
  test("a host that fails to start rejects serve() and leaves no signal handlers behind", async () => {
    const failing: HostedService = {
      name: "failing",
      start: async () => Promise.reject(new Error("no database")),
      stop: async () => {},
    };
    const app = new Elysia()
      .use(hosting({ logger: silentLogger }))
      .use(withHostedService(failing, new Elysia({ name: "failing" })));
    const before = process.listenerCount("SIGTERM");
    const exits: number[] = [];
    await expect(
      serve(app, { port: 0, hostname: "127.0.0.1", logger: silentLogger, exit: (code) => void exits.push(code) }),
    ).rejects.toThrow(/no database/);
    expect(process.listenerCount("SIGTERM")).toBe(before);
    expect(app.server).toBeNull();
    expect(exits).toEqual([]);
  });
});
