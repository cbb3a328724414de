import type { Logger } from "../../src/hosting/index.ts";

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string | undefined;
  fields: Record<string, unknown>;
}

/** A Logger that keeps every line, for asserting on what was logged. */
export function recordingLogger(
  lines: LogLine[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { lines: LogLine[] } {
  const at = (level: LogLine["level"]) => (fields: object, message?: string) =>
    void lines.push({ level, message, fields: { ...bindings, ...fields } });
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}
