import { afterEach, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { hosting, serve, withHostedService } from "../../src/elysia/index.ts";
import { type HostedService, silentLogger as silent } from "../../src/hosting/index.ts";
import { type Child, listeningUrl, spawnChild } from "../support/process.ts";

const fixture = new URL("./fixtures/served-app.ts", import.meta.url).pathname;
let child: Child | undefined;
afterEach(() => child?.proc.kill("SIGKILL"));

describe("serve(): the process lifecycle", () => {
  test("starts the host, serves, and on SIGTERM runs stop hooks and exits 0", async () => {
    child = spawnChild(["bun", fixture, "50"]);
    const url = await listeningUrl(child);
    const ready = await fetch(`${url}/ready`).then((r) => r.json());
    expect(ready).toMatchObject({ ready: true, state: "started" });
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(child.lines.some((l) => l.includes("ticker stop hook ran"))).toBe(true);
    expect(child.lines.some((l) => l.includes('"service stopped"') && l.includes('"ticker"'))).toBe(true);
  });

  test("SIGINT works the same way", async () => {
    child = spawnChild(["bun", fixture, "0"]);
    await listeningUrl(child);
    child.proc.kill("SIGINT");
    expect(await child.exited).toBe(0);
  });

  test("a second signal exits at once", async () => {
    child = spawnChild(["bun", fixture, "5000"]); // the stop hook would take past the 1 s deadline
    await listeningUrl(child);
    child.proc.kill("SIGTERM");
    await child.waitForLine((l) => l.includes('"shutting down"'));
    const began = performance.now();
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(1);
    expect(performance.now() - began).toBeLessThan(900);
  });

  test("a service that ignores the deadline is abandoned and the process still exits 0 at the deadline", async () => {
    child = spawnChild(["bun", fixture, "60000"]);
    await listeningUrl(child);
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(child.lines.some((l) => l.includes("abandoned"))).toBe(true);
  });

  test('a failing service stops the host ("stop-host") and the process exits 1', async () => {
    child = spawnChild(["bun", fixture, "0", "100"]);
    await listeningUrl(child);
    expect(await child.exited).toBe(1);
    expect(child.lines.some((l) => l.includes("ticker broke"))).toBe(true);
  });
});

describe("serve(): listening fails", () => {
  test("a port in use: the started host is stopped again, and serve() rejects with EADDRINUSE", async () => {
    const holder = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const calls: string[] = [];
    const service: HostedService = {
      name: "claims",
      start: async () => void calls.push("start"),
      stop: async () => void calls.push("stop"),
    };
    const app = new Elysia()
      .use(hosting({ logger: silent }))
      .use(withHostedService(service, new Elysia({ name: "claims" })));
    const sigterms = process.listenerCount("SIGTERM");
    try {
      const failed = await serve(app, { port: holder.port, hostname: "127.0.0.1", logger: silent }).catch((e) => e);
      expect((failed as { code?: string }).code).toBe("EADDRINUSE");
      expect(app.decorator.host.state).toBe("stopped");
      expect(calls).toEqual(["start", "stop"]);
      expect(process.listenerCount("SIGTERM")).toBe(sigterms);
    } finally {
      holder.stop(true);
    }
  });
});
