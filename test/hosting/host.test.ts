import { describe, expect, test } from "bun:test";
import {
  BackgroundService,
  Host,
  HostAlreadyStartedError,
  type HostEvent,
  type HostedService,
  HostNotStartedError,
  ServiceRegistrationError,
  ServiceStartError,
  silentLogger,
} from "../../src/hosting/index.ts";
import { recordingLogger } from "../support/recording-logger.ts";

function recorder(log: string[], name: string, extra: Partial<HostedService> = {}): HostedService {
  return {
    name,
    async start() {
      log.push(`start ${name}`);
    },
    async stop() {
      log.push(`stop ${name}`);
    },
    ...extra,
  };
}

/** Ignores its stopping signal: the shutdown deadline is the only thing that ends it. */
class Stubborn extends BackgroundService {
  name = "stubborn";
  protected execute(): Promise<void> {
    return new Promise(() => {});
  }
}

class Failing extends BackgroundService {
  name = "failing";
  protected async execute(): Promise<void> {
    await Promise.resolve();
    throw new Error("boom");
  }
}

describe("Host", () => {
  test("starts in registration order and stops in reverse", async () => {
    const log: string[] = [];
    const host = new Host({
      services: [recorder(log, "a"), recorder(log, "b"), recorder(log, "c")],
      logger: silentLogger,
    });
    await host.start();
    await host.stop();
    expect(log).toEqual(["start a", "start b", "start c", "stop c", "stop b", "stop a"]);
  });

  test("starts concurrently when asked", async () => {
    const started: string[] = [];
    const slow = (name: string, ms: number): HostedService => ({
      name,
      start: () => new Promise((r) => setTimeout(() => r(void started.push(name)), ms)),
      stop: async () => {},
    });
    const host = new Host({
      services: [slow("slow", 30), slow("fast", 1)],
      startConcurrently: true,
      logger: silentLogger,
    });
    await host.start();
    expect(started).toEqual(["fast", "slow"]);
    await host.stop();
  });

  test("a failed concurrent start also stops a service that finished starting after the failure", async () => {
    const log: string[] = [];
    const late: HostedService = {
      name: "late",
      start: () => new Promise((r) => setTimeout(() => r(void log.push("start late")), 30)),
      stop: async () => void log.push("stop late"),
    };
    const failing: HostedService = {
      name: "failing",
      start: async () => Promise.reject(new Error("no")),
      stop: async () => {},
    };
    const host = new Host({ services: [late, failing], startConcurrently: true, logger: silentLogger });
    await expect(host.start()).rejects.toBeInstanceOf(ServiceStartError);
    expect(log).toEqual(["start late", "stop late"]);
  });

  test("emits lifecycle events in order", async () => {
    const events: string[] = [];
    const host = new Host({ services: [], logger: silentLogger });
    for (const type of ["starting", "started", "stopping", "stopped"])
      host.addEventListener(type, (e) => events.push(e.type));
    await host.start();
    await host.stop();
    expect(events).toEqual(["starting", "started", "stopping", "stopped"]);
  });

  test("stop returns at the deadline when a service ignores its signal, and logs the abandonment", async () => {
    const logger = recordingLogger();
    const log: string[] = [];
    const host = new Host({ services: [recorder(log, "first"), new Stubborn()], shutdownTimeoutMs: 200, logger });
    await host.start();
    const began = performance.now();
    await host.stop();
    const took = performance.now() - began;
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(1000);
    expect(host.state).toBe("stopped");
    expect(log).toContain("stop first"); // the services after the stubborn one are still stopped
    expect(
      logger.lines.some(
        (l) => l.level === "error" && l.fields.service === "stubborn" && /abandoned/.test(l.message ?? ""),
      ),
    ).toBe(true);
  });

  test("stop(timeoutMs) uses what is left of a shutdown budget instead of the full timeout", async () => {
    const host = new Host({ services: [new Stubborn()], shutdownTimeoutMs: 10_000, logger: silentLogger });
    await host.start();
    const began = performance.now();
    await host.stop(100);
    expect(performance.now() - began).toBeLessThan(2000);
    expect(host.state).toBe("stopped");
  });

  test("a service past the deadline is still told to stop, never awaited", async () => {
    const log: string[] = [];
    const hang: HostedService = { name: "hang", start: async () => {}, stop: () => new Promise(() => {}) };
    const host = new Host({ services: [recorder(log, "early"), hang], shutdownTimeoutMs: 50, logger: silentLogger });
    await host.start();
    await host.stop();
    expect(log).toEqual(["start early", "stop early"]);
  });

  test('"stop-host" policy: a failing BackgroundService stops the host and is reported', async () => {
    const logger = recordingLogger();
    const log: string[] = [];
    const host = new Host({ services: [recorder(log, "other"), new Failing()], logger });
    const failures: HostEvent[] = [];
    host.addEventListener("service-failed", (e) => failures.push(e as HostEvent));
    await host.start();
    await host.stopped;
    expect(host.state).toBe("stopped");
    expect(host.failure?.service).toBe("failing");
    expect(failures[0]?.service).toBe("failing");
    expect(log).toContain("stop other");
    expect(
      logger.lines.some((l) => l.level === "error" && l.fields.service === "failing" && l.fields.err instanceof Error),
    ).toBe(true);
  });

  test('"ignore" policy: the host keeps running and reports the service not ready', async () => {
    const host = new Host({ services: [new Failing()], onServiceFailure: "ignore", logger: silentLogger });
    await host.start();
    await Bun.sleep(5);
    expect(host.state).toBe("started");
    expect(host.failure).toBeUndefined();
    expect(host.health().ready).toBe(false);
    expect(host.health().reasons.join()).toContain("boom");
    await host.stop();
  });

  test("a service that fails to start stops those already started, then rejects", async () => {
    const log: string[] = [];
    const broken: HostedService = {
      name: "broken",
      start: async () => Promise.reject(new Error("no db")),
      stop: async () => {},
    };
    const host = new Host({ services: [recorder(log, "a"), broken, recorder(log, "c")], logger: silentLogger });
    const error = await host.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as Error).message).toContain("broken");
    expect(log).toEqual(["start a", "stop a"]);
    expect(host.state).toBe("stopped");
  });

  test("readiness: not ready before start, ready when started, not ready while stopping", async () => {
    let stopping!: () => void;
    const slowStop: HostedService = {
      name: "slow",
      start: async () => {},
      stop: () => new Promise((r) => (stopping = r)),
    };
    const host = new Host({ services: [slowStop], logger: silentLogger });
    expect(host.health()).toMatchObject({ ready: false, state: "created" });
    await host.start();
    expect(host.health()).toEqual({ ready: true, state: "started", reasons: [] });
    const stopped = host.stop();
    expect(host.health().ready).toBe(false);
    stopping();
    await stopped;
  });

  test("beginDraining: not ready while every service still runs; a no-op before start", async () => {
    const host = new Host({
      services: [{ name: "s", start: async () => {}, stop: async () => {} }],
      logger: silentLogger,
    });
    host.beginDraining();
    await host.start();
    expect(host.health().ready).toBe(true);
    host.beginDraining();
    expect(host.health()).toEqual({ ready: false, state: "started", reasons: ["host is draining before it stops"] });
    await host.stop();
    expect(host.health().reasons).toEqual(["host is stopped"]);
  });

  test("misuse gets typed errors, never a hang", async () => {
    const host = new Host({ logger: silentLogger });
    await expect(host.stop()).rejects.toBeInstanceOf(HostNotStartedError);
    await host.start();
    await expect(host.start()).rejects.toBeInstanceOf(HostAlreadyStartedError);
    expect(() => host.add(recorder([], "late"))).toThrow(ServiceRegistrationError);
    await host.stop();
    await host.stop(); // idempotent
    expect(() => new Host({ services: [recorder([], "x"), recorder([], "x")] })).toThrow(ServiceRegistrationError);
    expect(() => new Host({ shutdownTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => new Host({ onServiceFailure: "explode" as "ignore" })).toThrow(TypeError);
  });
});

describe("BackgroundService", () => {
  test("start does not wait for execute; stop aborts the signal and awaits execute", async () => {
    const log: string[] = [];
    class Worker extends BackgroundService {
      name = "worker";
      protected async execute(signal: AbortSignal): Promise<void> {
        log.push("executing");
        await new Promise((r) => signal.addEventListener("abort", r));
        await Bun.sleep(20); // finishing the item in hand
        log.push("finished");
      }
    }
    const host = new Host({ services: [new Worker()], logger: silentLogger });
    await host.start();
    await Bun.sleep(1);
    expect(log).toEqual(["executing"]);
    await host.stop();
    expect(log).toEqual(["executing", "finished"]);
  });
});
