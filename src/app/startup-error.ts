/**
 * The app cannot start for a reason the operator can fix (a database it cannot reach or open, a
 * missing migrations folder). The message says what is wrong and what to change; main.ts prints it
 * without a stack trace and exits 1, as it does for a ConfigError.
 */
export class StartupError extends Error {
  override name = "StartupError";
}

/** The error's `code` (errno name or SQLSTATE), looking through `cause` chains. */
export function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
