import { createApp } from "./app/create-app.ts";
import { ConfigError, loadConfig } from "./app/config.ts";
import { createLogger } from "./app/logger.ts";
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
const app = createApp(config, { logger });
await serve(app, { port: config.port, hostname: config.hostname, logger });
