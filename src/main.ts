import { serve } from "errand/elysia";
import { ConfigError, loadConfig } from "./app/config.ts";
import { createApp, devLinks } from "./app/create-app.ts";
import { probeReady } from "./app/healthcheck.ts";
import { consoleDestination, createLogger } from "./app/logger.ts";
import { openRuntime } from "./app/runtime/index.ts";
import { StartupError } from "./app/startup-error.ts";
import { startTracing } from "./app/tracing.ts";

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
// Before anything that traces: the jobs and HTTP spans go to the SDK registered here.
const tracing = config.tracing ? startTracing() : null;
const runtime = await openRuntime({ config, logger }).catch(exitWith);
const app = createApp(config, { logger, runtime });
app.decorator.host.addEventListener("stopped", () => void runtime.close());
await serve(app, {
  port: config.port,
  hostname: config.hostname,
  logger,
  links: devLinks(config, runtime),
  // The spans still buffered (OTEL_BSP_SCHEDULE_DELAY) are exported before the process ends.
  exit: async (code) => {
    await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, "exporting the last spans failed"));
    process.exit(code);
  },
});
