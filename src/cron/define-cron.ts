import type { TObject, TSchema, TString } from "@sinclair/typebox";
import type { JobContext } from "../jobs/context.ts";
import { type AnyJobDefinition, defineJob, type JobDefinition, type JobSpec } from "../jobs/define-job.ts";
import { InvalidCronDefinitionError } from "./errors.ts";
import type { MissedPolicy } from "./missed.ts";
import { parseSchedule, type Schedule } from "./schedule.ts";

export interface CronScheduleOptions {
  /** Unique; part of every tick's idempotency key, so letters, digits, `.`, `_` and `-` only. */
  name: string;
  /** A cron expression croner parses: 5 fields, 6 with seconds first, or a nickname such as "@daily". */
  schedule: string;
  /** IANA timezone the expression is read in (default: UTC). */
  timezone?: string;
  /** Ticks that passed while the process was down or asleep (default "skip"). */
  missed?: MissedPolicy;
  /** Start a tick while the previous run is unfinished (default false: that tick is skipped). */
  overlap?: boolean;
  /** A disabled cron is listed but never scheduled (default true). */
  enabled?: boolean;
}

/** The job form: each tick enqueues an existing job definition with a fixed payload. */
export interface JobCronOptions<P> extends CronScheduleOptions {
  /** The job (defineJob) enqueued at each tick: it brings its retries, timeout and history. */
  job: JobDefinition<P>;
  /** The payload of every run, checked against the job's schema at each enqueue. */
  payload: P;
}

/** What a plain cron handler receives: the job context plus the tick it runs for. */
export interface CronRunContext extends JobContext {
  /** The scheduled time of this run (for a manual run, the time of the trigger). */
  tick: Date;
}

/** The plain-handler form: defineCron creates a job `cron.<name>` for the handler, with these job options. */
export interface HandlerCronOptions
  extends CronScheduleOptions,
    Pick<JobSpec<TSchema>, "attempts" | "backoff" | "timeoutMs" | "priority" | "queue"> {
  handler: (ctx: CronRunContext) => Promise<void> | void;
}

/** A validated cron: its parsed schedule, policies, and the job it enqueues at each tick. */
export interface CronDefinition {
  readonly name: string;
  readonly schedule: Schedule;
  readonly missed: MissedPolicy;
  readonly overlap: boolean;
  readonly enabled: boolean;
  /** Register it with createJobs({ jobs }) so the jobs service can run the cron's ticks. */
  readonly job: AnyJobDefinition;
  /** The payload of the run for `tick` (epoch ms; for a manual run, the time of the trigger). */
  payloadFor(tick: number): unknown;
}

/**
 * Defines a recurring job. Either give `job` and `payload` (an existing defineJob), or a `handler`
 * for small tasks, which still runs as a job (`cron.<name>`) with retries and history.
 * Throws a typed error naming the cron when its name, schedule, timezone or missed policy is invalid.
 */
export function defineCron<P>(options: JobCronOptions<P>): CronDefinition;
export function defineCron(options: HandlerCronOptions): CronDefinition;
export function defineCron<P>(options: JobCronOptions<P> | HandlerCronOptions): CronDefinition {
  if ("handler" in options && "job" in options) {
    throw new InvalidCronDefinitionError(
      `Cron "${options.name}": give either job (with payload) or handler, not both.`,
    );
  }
  if ("handler" in options)
    return validateCron(options, handlerJob(options), (tick) => ({ tick: new Date(tick).toISOString() }));
  if (!("job" in options) || !options.job) {
    throw new InvalidCronDefinitionError(
      `Cron "${(options as CronScheduleOptions).name}": give a job (with payload) or a handler to run.`,
    );
  }
  const { job, payload } = options;
  assertPayload(options.name, job, payload);
  return validateCron(options, job, () => payload);
}

/** A payload the job would refuse fails at registration, not at every tick. */
function assertPayload<P>(cronName: string, job: JobDefinition<P>, payload: P): void {
  const parsed = job.parse(payload);
  if (parsed.ok) return;
  const issues = parsed.issues.map((issue) => `${issue.path || "/"}: ${issue.message}`).join("; ");
  throw new InvalidCronDefinitionError(`Cron "${cronName}": its payload does not match job "${job.name}": ${issues}.`);
}

/**
 * A plain handler's job carries only its tick, as an ISO string (payloads are JSON). The schema is
 * `Type.Object({ tick: Type.String() })` written out: it is the only schema `errand` itself defines,
 * and importing TypeBox's builders for it would load 94 more of TypeBox's modules (~8 ms) with
 * `errand`. `TypeBox.Kind` is TypeBox's registered symbol: its compiler reads this as its own.
 */
const Kind = Symbol.for("TypeBox.Kind");
const tickPayload = {
  [Kind]: "Object",
  type: "object",
  required: ["tick"],
  properties: { tick: { [Kind]: "String", type: "string" } },
} as unknown as TObject<{ tick: TString }>;

function handlerJob(options: HandlerCronOptions): AnyJobDefinition {
  const { handler } = options;
  return defineJob({
    name: `cron.${options.name}`,
    payload: tickPayload,
    handler: (payload, ctx) => handler(cronRunContext(ctx, new Date(payload.tick))),
    ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
  });
}

/**
 * The job's context plus the tick. Not a spread copy: a job context's `scope`, `signal` and `logger`
 * are getters (built on first use), which `{ ...ctx }` would drop; these forward to them instead.
 */
function cronRunContext(ctx: JobContext, tick: Date): CronRunContext {
  return {
    get scope() {
      return ctx.scope;
    },
    get signal() {
      return ctx.signal;
    },
    get logger() {
      return ctx.logger;
    },
    attempt: ctx.attempt,
    job: ctx.job,
    children: () => ctx.children(),
    progress: (value) => ctx.progress(value),
    tick,
  };
}

const namePattern = /^[A-Za-z0-9._-]+$/;

function validateCron(
  options: CronScheduleOptions,
  job: AnyJobDefinition,
  payloadFor: (tick: number) => unknown,
): CronDefinition {
  if (typeof options.name !== "string" || !namePattern.test(options.name)) {
    throw new InvalidCronDefinitionError(
      `Invalid cron name ${JSON.stringify(options.name)}: use letters, digits, ".", "_" and "-" (it becomes part of job keys "cron:<name>:<tick>").`,
    );
  }
  const missed = options.missed ?? "skip";
  assertMissedPolicy(options.name, missed);
  return Object.freeze({
    name: options.name,
    schedule: parseSchedule(options.name, options.schedule, options.timezone),
    missed,
    overlap: options.overlap ?? false,
    enabled: options.enabled ?? true,
    job,
    payloadFor,
  });
}

function assertMissedPolicy(cronName: string, missed: MissedPolicy): void {
  if (missed === "skip" || missed === "run-once") return;
  if (typeof missed === "object" && missed !== null && Number.isSafeInteger(missed.catchUp) && missed.catchUp >= 1)
    return;
  throw new InvalidCronDefinitionError(
    `Cron "${cronName}": missed must be "skip", "run-once" or { catchUp: n } with a whole n >= 1, got ${JSON.stringify(missed)}.`,
  );
}
