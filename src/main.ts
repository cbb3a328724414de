import { ConfigError, loadConfig } from "./app/config.ts";
import { createApp } from "./app/create-app.ts";
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
const logger = createLogger(config.logLevel);
const runtime = await openRuntime({ config, logger });
const app = createApp(config, { logger, runtime });
app.decorator.host.addEventListener("stopped", () => void runtime.close());
await serve(app, { port: config.port, hostname: config.hostname, logger });
