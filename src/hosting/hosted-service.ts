/** What a service reports to readiness probes (`/health/ready`). */
export interface ServiceHealth {
  ready: boolean;
  /** Why the service is not ready; shown in the 503 body. */
  reason?: string;
}

/**
 * A unit of background work started and stopped with the host (.NET's IHostedService).
 *
 * `start` should return once the service is running (long work belongs in a BackgroundService);
 * `stop` gets a signal that aborts at the shutdown deadline, after which the service must give up.
 */
export interface HostedService {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(signal: AbortSignal): Promise<void>;
  /** Optional readiness; a service without it is ready once started. */
  health?(): ServiceHealth;
  /**
   * Settles when the service's own work ends (BackgroundService.execute). A rejection is a service
   * failure and triggers the host's `onServiceFailure` policy.
   */
  readonly executeTask?: Promise<void> | undefined;
}
