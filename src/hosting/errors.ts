/** Base class of every error the hosting layer throws, so callers can catch them as one family. */
export class HostError extends Error {
  override name = "HostError";
}

/** `start()` was called on a host that is not new (it is starting, started, stopping or stopped). */
export class HostAlreadyStartedError extends HostError {
  override name = "HostAlreadyStartedError";
  constructor(state: string) {
    super(`The host was already started (state: ${state}). A Host starts once; create a new Host to start again.`);
  }
}

/** `stop()` was called on a host that never started. */
export class HostNotStartedError extends HostError {
  override name = "HostNotStartedError";
  constructor() {
    super("The host was never started, so there is nothing to stop. Call host.start() first.");
  }
}

/** A service was added after start, or two services share a name. */
export class ServiceRegistrationError extends HostError {
  override name = "ServiceRegistrationError";
}

/** A service's start threw; the services started before it were stopped again. */
export class ServiceStartError extends HostError {
  override name = "ServiceStartError";
  constructor(
    readonly serviceName: string,
    cause: unknown,
  ) {
    super(`Hosted service "${serviceName}" failed to start: ${describe(cause)}`, { cause });
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A service's work was still running when its stop signal fired; the host abandons it. */
export class StopDeadlineError extends HostError {
  override name = "StopDeadlineError";
  constructor(readonly serviceName: string) {
    super(`Hosted service "${serviceName}" was still running at the shutdown deadline and was abandoned.`);
  }
}
