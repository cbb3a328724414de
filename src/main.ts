import { ConfigError, loadConfig } from "./app/config.ts";
import { createApp } from "./app/create-app.ts";
import { probeReady } from "./app/healthcheck.ts";
import { createLogger } from "./app/logger.ts";
import { openRuntime } from "./app/runtime/index.ts";
import { serve } from "./elysia/index.ts";

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = readConfig();
// `errand healthcheck` (the Dockerfile's HEALTHCHECK): probe the running instance, exit 0 when ready.
if (process.argv.slice(2).includes("healthcheck")) process.exit((await probeReady(config.port)) ? 0 : 1);

const logger = createLogger(config.logLevel);
const runtime = await openRuntime({ config, logger });
const app = createApp(config, { logger, runtime });
app.decorator.host.addEventListener("stopped", () => void runtime.close());
await serve(app, { port: config.port, hostname: config.hostname, logger });
