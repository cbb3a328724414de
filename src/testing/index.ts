// `errand/testing`: helpers for testing code that uses Errand (fake clock, in-memory mail transport).
export { FakeClock } from "../clock/fake-clock.ts";
export { MemoryTransport, memoryTransport, type SentMail } from "../mail/transports/memory.ts";
export { RunJobSuspendedError } from "./errors.ts";
export {
  createTestJobs,
  type DrainOptions,
  type DrainResult,
  type EnqueuedRecord,
  type TestJobs,
  type TestJobsOptions,
} from "./test-jobs.ts";
