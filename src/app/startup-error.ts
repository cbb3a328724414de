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

/** Why the server cannot listen on HOST:PORT and what to change, when that is the problem; else undefined. */
export function listenProblem(error: unknown, hostname: string, port: number): StartupError | undefined {
  switch (errorCode(error)) {
    case "EADDRINUSE":
      return new StartupError(`Port ${port} is already in use: set PORT to a free port or stop the process using it.`, {
        cause: error,
      });
    case "EADDRNOTAVAIL":
      return new StartupError(
        `Cannot listen on HOST=${hostname}: it is not an address of this machine. Set HOST to one of its addresses, or 0.0.0.0 for all of them.`,
        { cause: error },
      );
    case "EACCES":
      return new StartupError(
        `Not allowed to listen on port ${port}: ports below 1024 need privileges. Set PORT to 1024 or above.`,
        { cause: error },
      );
    default:
      return undefined;
  }
}
