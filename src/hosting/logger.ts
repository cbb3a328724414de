/**
 * The logging surface the core needs. It is the subset of pino's API Errand calls, so a pino logger
 * is one (the app passes pino); the core itself never imports a logging library.
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

type Level = "debug" | "info" | "warn" | "error";

function consoleLoggerWith(bindings: Record<string, unknown>): Logger {
  const write = (level: Level) => (fields: object, message?: string) =>
    console[level](JSON.stringify({ level, time: Date.now(), ...bindings, ...serializeErrors(fields), msg: message }));
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (more) => consoleLoggerWith({ ...bindings, ...more }),
  };
}

/** Errors are not enumerable: JSON.stringify would log `{}` for them. */
function serializeErrors(fields: object): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

/** JSON lines on the console: the default when no logger is given. */
export const consoleLogger: Logger = consoleLoggerWith({});

const noop = () => {};
/** Discards everything: for tests and benchmarks. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };
