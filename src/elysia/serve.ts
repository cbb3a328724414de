import type { AnyElysia } from "elysia";
import { consoleLogger, type Logger } from "../hosting/logger.ts";
import { hostOf } from "./hosting.ts";

export interface ServeOptions {
  port?: number;
  hostname?: string;
  logger?: Logger & { flush?(): void };
  /** Signals that start a graceful shutdown (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
  /**
   * On the first signal, how long readiness fails (`host.health()`: "host is draining before it stops")
   * while requests are still served, before the server stops; default 0. Behind a load balancer (a
   * Kubernetes Service), set it above the readiness probe's period so traffic moves away first. It comes
   * before, not out of, the host's shutdown timeout.
   */
  drainMs?: number;
  /** Called with the exit code once shut down; default `process.exit`. Tests replace it. */
  exit?: (code: number) => void;
  /**
   * Paths to print as full URLs on the "listening" line, e.g. `{ docs: "/swagger" }`, so the first run
   * shows where to go. A wildcard host (0.0.0.0, ::) is shown as localhost, which a browser can open.
   */
  links?: Record<string, string>;
}

export interface Served {
  /** The base URL the server listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Runs the shutdown sequence (as a signal would) and resolves with the exit code. */
  shutdown(reason?: string): Promise<number>;
}

/**
 * Runs an app as a process, the way the .NET generic host does: start the hosted services, then listen;
 * when listening fails (a port in use), stop the host again and reject with the listen error (its `code`,
 * e.g. EADDRINUSE, says why). On SIGTERM/SIGINT fail readiness for `drainMs` while still serving, stop
 * accepting requests and let in-flight ones finish, stop the host within its shutdown timeout, flush
 * logs and exit 0 (1 when a failing service stopped the host). A second signal exits at once.
 */
export async function serve(app: AnyElysia, options: ServeOptions = {}): Promise<Served> {
  const host = hostOf(app);
  const logger = (options.logger ?? consoleLogger).child({ component: "serve" });
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const drainMs = options.drainMs ?? 0;
  if (!Number.isFinite(drainMs) || drainMs < 0) {
    throw new RangeError(`drainMs must be a non-negative number of milliseconds, got ${drainMs}`);
  }

  let shuttingDown: Promise<number> | undefined;
  const shutdown = (reason = "shutdown") => {
    shuttingDown ??= stopEverything(reason);
    return shuttingDown;
  };

  async function stopEverything(reason: string): Promise<number> {
    logger.info({ reason, drainMs, shutdownTimeoutMs: host.shutdownTimeoutMs }, "shutting down");
    await drain();
    // In-flight requests may still write to queues, so the server drains before the host stops; both
    // share one budget. The server is stopped directly (not app.stop()) so Elysia's onStop does not
    // start the host's stop with a fresh full timeout.
    const began = Date.now();
    if (app.server) await Promise.race([app.server.stop(), delay(host.shutdownTimeoutMs)]);
    await host.stop(host.shutdownTimeoutMs - (Date.now() - began));
    const code = host.failure ? 1 : 0;
    logger.info({ code }, "stopped");
    options.logger?.flush?.();
    for (const signal of signals) process.off(signal, onSignal);
    exit(code);
    return code;
  }

  /** Readiness fails first and requests are still served, unless the host has stopped on its own. */
  async function drain(): Promise<void> {
    host.beginDraining();
    if (drainMs === 0 || host.state !== "started") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, drainMs))), host.stopped]);
    clearTimeout(timer);
  }

  /**
   * The host started first (readiness), so a port in use finds services running that may hold claimed
   * jobs: they are stopped as on a signal, releasing what they hold, before the caller learns of it.
   */
  async function stopAfterListenFailed(error: unknown): Promise<void> {
    for (const signal of signals) process.off(signal, onSignal);
    // No stack: the caller gets the error itself and decides how to report it.
    logger.error(
      { reason: error instanceof Error ? error.message : String(error) },
      "listening failed: stopping the host",
    );
    await host.stop();
    logger.info({ code: 1 }, "stopped");
    options.logger?.flush?.();
  }

  function onSignal(signal: NodeJS.Signals) {
    if (shuttingDown) {
      logger.warn({ signal }, "second signal: exiting at once");
      options.logger?.flush?.();
      exit(1);
      return;
    }
    void shutdown(signal);
  }

  // Handlers go in before anything can announce readiness: a signal with no handler kills at once.
  for (const signal of signals) process.on(signal, onSignal);
  try {
    if (host.state === "created") await host.start();
  } catch (error) {
    // Nothing is running to shut down; the caller decides what a failed start means for the process.
    for (const signal of signals) process.off(signal, onSignal);
    throw error;
  }
  try {
    app.listen({ port: options.port ?? 3000, hostname: options.hostname ?? "0.0.0.0" });
  } catch (error) {
    await stopAfterListenFailed(error);
    throw error;
  }
  const server = app.server!;
  const url = `http://${server.hostname}:${server.port}`;
  logger.info({ url, ...linksFor(server.hostname, server.port, options.links) }, "listening");
  // A service failure under the "stop-host" policy stops the host; the process follows it down.
  void host.stopped.then(() => shutdown(host.failure ? `service ${host.failure.service} failed` : "host stopped"));
  return { url, shutdown };
}

function linksFor(
  hostname: string | undefined,
  port: number | undefined,
  links: Record<string, string> = {},
): Record<string, string> {
  const host = hostname === undefined || hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return Object.fromEntries(Object.entries(links).map(([name, path]) => [name, `${base}${path}`]));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
