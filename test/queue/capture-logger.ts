import type { Logger } from "../../src/hosting/index.ts";

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string | undefined;
}

/** A real Logger that keeps what it is given, bindings included, for assertions. */
export function captureLogger(
  entries: LogEntry[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { entries: LogEntry[] } {
  const write = (level: LogEntry["level"]) => (fields: object, message?: string) => {
    entries.push({ level, fields: { ...bindings, ...fields }, message });
  };
  return {
    entries,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (more) => captureLogger(entries, { ...bindings, ...more }),
  };
}
