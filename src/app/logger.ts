import pino from "pino";
import type { LogLevel, NodeEnv } from "./config.ts";

export type AppLogger = pino.Logger;

/** Where log lines go; tests pass an in-memory one to read what was logged. */
export interface LogDestination {
  write(line: string): void;
}

/**
 * Secrets that must never reach a log line even when someone logs a whole object carelessly:
 * credentials in requests and bodies, and anything token-shaped.
 */
const REDACTED_PATHS = [
  "password",
  "*.password",
  "passwordHash",
  "*.passwordHash",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "confirmUrl",
  "*.confirmUrl",
];

/** JSON lines (pino); synchronous on stdout so nothing is lost when the process exits after shutdown. */
export function createLogger(level: LogLevel, destination?: LogDestination): AppLogger {
  return pino(
    {
      level,
      base: { app: "errand" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

// A variable, not a literal: `bun build --compile` would otherwise try to bundle the devDependency,
// which a production install (`bun install --production`, the Dockerfile) does not have.
const PINO_PRETTY = "pino-pretty";

/**
 * Where log lines go by default: in development on a terminal, pino-pretty's colored lines (when the
 * devDependency is installed); otherwise undefined, i.e. JSON lines on stdout for production, tests,
 * pipes and containers.
 */
export async function consoleDestination(nodeEnv: NodeEnv): Promise<LogDestination | undefined> {
  if (nodeEnv !== "development" || !process.stdout.isTTY) return undefined;
  try {
    const { default: pretty } = (await import(PINO_PRETTY)) as { default: (options: object) => LogDestination };
    // Synchronous, like the JSON destination: nothing is lost when the process exits after shutdown.
    return pretty({ sync: true, colorize: true, ignore: "pid,hostname,app", translateTime: "SYS:HH:MM:ss.l" });
  } catch {
    return undefined;
  }
}
