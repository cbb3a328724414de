import { untilAborted } from "./background-service.ts";
import {
  describe,
  HostAlreadyStartedError,
  HostNotStartedError,
  ServiceRegistrationError,
  ServiceStartError,
  StopDeadlineError,
} from "./errors.ts";
import type { HostedService } from "./hosted-service.ts";
import { consoleLogger, type Logger } from "./logger.ts";

export type HostState = "created" | "starting" | "started" | "stopping" | "stopped";
export type ServiceFailurePolicy = "stop-host" | "ignore";
export type HostEventType = "starting" | "started" | "stopping" | "stopped" | "service-failed";

export interface HostOptions {
  services?: HostedService[];
  /** The whole stop sequence, every service included, ends within this (default 5000 ms). */
  shutdownTimeoutMs?: number;
  /** Start services concurrently instead of one after another in registration order. */
  startConcurrently?: boolean;
  /** What a failing BackgroundService does to the host (default "stop-host", as .NET 6+). */
  onServiceFailure?: ServiceFailurePolicy;
  logger?: Logger;
}

/** Dispatched on the host for each lifecycle step; `service-failed` carries the service and error. */
export class HostEvent extends Event {
  constructor(
    type: HostEventType,
    readonly service?: string,
    readonly error?: unknown,
  ) {
    super(type);
  }
}

export interface HostHealth {
  ready: boolean;
  state: HostState;
  /** One line per reason the host is not ready. */
  reasons: string[];
}

/**
 * Owns a set of hosted services (.NET's generic Host): starts them in registration order, stops them
 * in reverse, all within one shutdown deadline, and applies the failure policy when one fails.
 */
export class Host extends EventTarget {
  readonly shutdownTimeoutMs: number;
  readonly #services: HostedService[] = [];
  readonly #startConcurrently: boolean;
  readonly #policy: ServiceFailurePolicy;
  readonly #logger: Logger;
  #state: HostState = "created";
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #failure: { service: string; error: unknown } | undefined;
  #draining = false;
  #resolveStopped!: () => void;
  /** Resolves once the host has stopped, whoever stopped it (a signal, a failed service, a test). */
  readonly stopped: Promise<void> = new Promise((resolve) => (this.#resolveStopped = resolve));

  constructor(options: HostOptions = {}) {
    super();
    const timeout = options.shutdownTimeoutMs ?? 5000;
    if (!Number.isFinite(timeout) || timeout < 0) {
      throw new RangeError(`shutdownTimeoutMs must be a non-negative number of milliseconds, got ${timeout}`);
    }
    const policy = options.onServiceFailure ?? "stop-host";
    if (policy !== "stop-host" && policy !== "ignore") {
      throw new TypeError(`onServiceFailure must be "stop-host" or "ignore", got ${JSON.stringify(policy)}`);
    }
    this.shutdownTimeoutMs = timeout;
    this.#startConcurrently = options.startConcurrently ?? false;
    this.#policy = policy;
    this.#logger = (options.logger ?? consoleLogger).child({ component: "host" });
    for (const service of options.services ?? []) this.add(service);
  }

  get state(): HostState {
    return this.#state;
  }

  get services(): readonly HostedService[] {
    return this.#services;
  }

  /** The failure that stopped the host under the "stop-host" policy, if any. */
  get failure(): { service: string; error: unknown } | undefined {
    return this.#failure;
  }

  /** Registers a service; adding the same service object again is a no-op (plugins may be used twice). */
  add(service: HostedService): this {
    if (this.#services.includes(service)) return this;
    if (this.#state !== "created") {
      throw new ServiceRegistrationError(
        `Cannot add hosted service "${service.name}": the host is ${this.#state}. Register every service before host.start().`,
      );
    }
    if (this.#services.some((s) => s.name === service.name)) {
      throw new ServiceRegistrationError(
        `A hosted service named "${service.name}" is already registered; names must be unique.`,
      );
    }
    this.#services.push(service);
    return this;
  }

  start(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.#state !== "created") return Promise.reject(new HostAlreadyStartedError(this.#state));
    this.#starting = this.#start(signal);
    return this.#starting;
  }

  async #start(signal: AbortSignal): Promise<void> {
    this.#transition("starting");
    const started: HostedService[] = [];
    try {
      if (this.#startConcurrently) {
        // allSettled, not all: a service still starting when another fails must be in `started`
        // before the rollback below, or it would be left running.
        const outcomes = await Promise.allSettled(
          this.#services.map((s) => this.#startOne(s, signal).then(() => started.push(s))),
        );
        const failed = outcomes.find((outcome) => outcome.status === "rejected");
        if (failed) throw failed.reason;
      } else {
        for (const service of this.#services) {
          await this.#startOne(service, signal);
          started.push(service);
        }
      }
    } catch (error) {
      // Like .NET: a failed start stops what already started, then surfaces the error.
      this.#state = "stopping";
      await this.#stopServices(started.reverse(), this.shutdownTimeoutMs);
      this.#transition("stopped");
      this.#resolveStopped();
      throw error;
    }
    for (const service of this.#services) this.#watch(service);
    this.#transition("started");
  }

  /**
   * Stops every service in reverse order within `timeoutMs` (default `shutdownTimeoutMs`; a caller that
   * already spent part of the shutdown budget passes what is left). Calling it again returns the same stop.
   */
  stop(timeoutMs: number = this.shutdownTimeoutMs): Promise<void> {
    if (this.#state === "created") return Promise.reject(new HostNotStartedError());
    // A stop during start waits for start to settle, so services are never stopped half-started.
    this.#stopping ??=
      this.#state === "starting"
        ? this.#starting!.catch(() => {}).then(() => this.#stop(timeoutMs))
        : this.#stop(timeoutMs);
    return this.#stopping;
  }

  /**
   * Announces a stop to come: readiness fails from now on ("host is draining") while every service keeps
   * running, so a load balancer stops routing here while requests are still served. `stop()` follows;
   * `serve()` calls this on the first signal. No effect unless the host is started.
   */
  beginDraining(): void {
    if (this.#state === "started") this.#draining = true;
  }

  health(): HostHealth {
    const reasons: string[] = [];
    if (this.#state !== "started") reasons.push(`host is ${this.#state}`);
    else if (this.#draining) reasons.push("host is draining before it stops");
    for (const service of this.#services) {
      const health = service.health?.();
      if (health && !health.ready) reasons.push(`${service.name}: ${health.reason ?? "not ready"}`);
    }
    return { ready: reasons.length === 0, state: this.#state, reasons };
  }

  async #startOne(service: HostedService, signal: AbortSignal): Promise<void> {
    try {
      await service.start(signal);
      this.#logger.info({ service: service.name }, "service started");
    } catch (error) {
      this.#logger.error({ service: service.name, err: error }, "service failed to start");
      throw new ServiceStartError(service.name, error);
    }
  }

  async #stop(timeoutMs: number): Promise<void> {
    if (this.#state === "stopped") return;
    this.#transition("stopping");
    await this.#stopServices([...this.#services].reverse(), timeoutMs);
    this.#transition("stopped");
    this.#resolveStopped();
  }

  /**
   * Services are told to give up slightly before the deadline (their signal aborts `reserve` ms early)
   * so they can release what they hold (leases, connections); the host itself returns at the deadline.
   */
  async #stopServices(services: HostedService[], timeoutMs: number): Promise<void> {
    const budget = Math.max(0, timeoutMs);
    const reserve = Math.min(250, Math.floor(budget / 10));
    const serviceSignal = AbortSignal.timeout(budget - reserve);
    const deadline = AbortSignal.timeout(budget);
    for (const service of services) {
      if (deadline.aborted) {
        // Past the deadline: still tell the service (it may clean up synchronously), never wait.
        service.stop(serviceSignal).catch(() => {});
        this.#logger.error(
          { service: service.name },
          "service abandoned: shutdown deadline passed before it was stopped",
        );
        continue;
      }
      const outcome = await Promise.race([
        service.stop(serviceSignal).then(
          () => "stopped" as const,
          (error: unknown) => {
            if (error instanceof StopDeadlineError) return "deadline" as const;
            this.#logger.error({ service: service.name, err: error }, "service failed to stop");
            return "failed" as const;
          },
        ),
        untilAborted(deadline).then(() => "deadline" as const),
      ]);
      if (outcome === "stopped") this.#logger.info({ service: service.name }, "service stopped");
      if (outcome === "deadline") {
        this.#logger.error(
          { service: service.name, timeoutMs: budget },
          "service abandoned: still running at the shutdown deadline",
        );
      }
    }
  }

  #watch(service: HostedService): void {
    service.executeTask?.catch((error: unknown) => {
      if (this.#state === "stopping" || this.#state === "stopped") return;
      this.#logger.error(
        { service: service.name, err: error, policy: this.#policy },
        `service failed: ${describe(error)}`,
      );
      this.dispatchEvent(new HostEvent("service-failed", service.name, error));
      if (this.#policy === "stop-host") {
        this.#failure ??= { service: service.name, error };
        void this.stop();
      }
    });
  }

  #transition(state: HostState & HostEventType): void {
    this.#state = state;
    this.dispatchEvent(new HostEvent(state));
  }
}
