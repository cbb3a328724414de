export { QueueItemTimeoutError } from "./errors.ts";
export type { QueueHandler, QueueItemContext, QueueWorkerOptions } from "./options.ts";
export { QueueWorker, queueWorker } from "./queue-worker.ts";
