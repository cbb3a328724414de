import { serve } from "errand/elysia";
import { ConfigError, loadConfig } from "./app/config.ts";
import { createApp, devLinks } from "./app/create-app.ts";
import { probeReady } from "./app/healthcheck.ts";
import { consoleDestination, createLogger } from "./app/logger.ts";
import { openRuntime } from "./app/runtime/index.ts";
import { listenProblem, StartupError } from "./app/startup-error.ts";

/** A problem the operator can fix (configuration, an unreachable database): its message, no stack, exit 1. */
function exitWith(error: unknown): never {
  if (!(error instanceof ConfigError || error instanceof StartupError)) throw error;
  console.error(error.message);
  process.exit(1);
}

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    exitWith(error);
  }
}

const config = readConfig();
// `errand healthcheck` (the Dockerfile's HEALTHCHECK): probe the running instance, exit 0 when ready.
if (process.argv.slice(2).includes("healthcheck")) process.exit((await probeReady(config.port)) ? 0 : 1);

const logger = createLogger(config.logLevel, await consoleDestination(config.nodeEnv));
// The OpenTelemetry SDK loads only when tracing is on: importing it is a large part of a start.
const telemetry = config.tracing ? await import("./app/tracing.ts") : null;
// Before anything that traces: the jobs and HTTP spans go to the SDK registered here.
const tracing = telemetry?.startTracing() ?? null;
const runtime = await openRuntime({ config, logger }).catch(exitWith);
const app = createApp(config, { logger, runtime, httpTracing: telemetry?.httpTracing() });
app.decorator.host.addEventListener("stopped", () => void runtime.close());
await serve(app, {
  port: config.port,
  hostname: config.hostname,
  logger,
  drainMs: config.shutdownDrainMs,
  links: devLinks(config, runtime),
  // The spans still buffered (OTEL_BSP_SCHEDULE_DELAY) are exported before the process ends.
  exit: async (code) => {
    await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, "exporting the last spans failed"));
    process.exit(code);
  },
  // serve() has stopped the host again by the time it rejects.
}).catch((error: unknown) => exitWith(listenProblem(error, config.hostname, config.port) ?? error));
