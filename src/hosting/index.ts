export { BackgroundService } from "./background-service.ts";
export {
  HostAlreadyStartedError,
  HostError,
  HostNotStartedError,
  ServiceRegistrationError,
  ServiceStartError,
  StopDeadlineError,
} from "./errors.ts";
export {
  Host,
  HostEvent,
  type HostEventType,
  type HostHealth,
  type HostOptions,
  type HostState,
  type ServiceFailurePolicy,
} from "./host.ts";
export type { HostedService, ServiceHealth } from "./hosted-service.ts";
export { consoleLogger, type Logger, silentLogger } from "./logger.ts";
