import pino from "pino";
import type { LogLevel } from "./config.ts";

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
