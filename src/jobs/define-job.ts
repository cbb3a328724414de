import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import type { Backoff } from "./backoff.ts";
import type { JobContext } from "./context.ts";
import { describeValue } from "./describe-value.ts";
import { InvalidJobDefinitionError, type PayloadIssue } from "./errors.ts";

export interface JobSpec<S extends TSchema, R = unknown> {
  /** Unique among the jobs of one createJobs; stored with each job, so renaming orphans queued ones. */
  name: string;
  /** A TypeBox schema (Elysia's `t`); the payload is validated at enqueue and typed in the handler. */
  payload: S;
  /**
   * Runs one attempt. What it returns (JSON: at most createJobs' maxResultBytes once serialized) is
   * stored as the job's `result`; `undefined` stores nothing.
   */
  handler: (payload: Static<S>, ctx: JobContext) => Promise<R> | R;
  /** Attempts before the job is dead, the first run included (default 10). */
  attempts?: number;
  /** Delay before each retry (default: exponential from 1 s, capped at 1 h, with jitter). */
  backoff?: Backoff;
  /** An attempt running longer fails with JobTimeoutError and its ctx.signal aborts. */
  timeoutMs?: number;
  /** Default priority of this job's runs; higher runs first (default 0). */
  priority?: number;
  /** Queue name, to split work between processes (createJobs({ queues })) (default "default"). */
  queue?: string;
  /**
   * At most this many of this job run at once across every process sharing the store; or, as
   * `{ limit, key }`, at most `limit` at once per key group (`key(payload)`, e.g. a tenant id), so one
   * group cannot fill every executor while the others wait.
   */
  concurrency?: number | ConcurrencyByKey<Static<S>>;
  /**
   * At most `max` starts per `perMs` across every process sharing the store (a sliding window), for the
   * job name or, with `key`, per key group (one API account, one tenant). Jobs over the limit wait as
   * ready, no attempt counted; the dispatcher sleeps until the window frees.
   */
  rateLimit?: RateLimit<Static<S>>;
}

/** A concurrency limit per key group: the key is computed from the payload at enqueue and stored. */
export interface ConcurrencyByKey<P> {
  limit: number;
  key: (payload: P) => string | number;
}

/** A rate limit: at most `max` starts in any `perMs` window, per job name or per `key(payload)` group. */
export interface RateLimit<P> {
  max: number;
  perMs: number;
  key?: (payload: P) => string | number;
  /** Set by defineJob when `key` is given (the stores then group by the stored key). */
  readonly keyed?: boolean;
}

/** A validated job definition; pass it to createJobs and to jobs.enqueue. `R`: its handler's result. */
export interface JobDefinition<P, R = unknown> {
  readonly name: string;
  readonly schema: TSchema;
  readonly handler: (payload: P, ctx: JobContext) => Promise<R> | R;
  readonly attempts: number;
  readonly backoff: Backoff | undefined;
  readonly timeoutMs: number | undefined;
  readonly priority: number;
  readonly queue: string;
  /** The limit on running jobs of this name (a number given as `concurrency`). */
  readonly concurrency: number | undefined;
  /** The limit on running jobs per key group (`concurrency: { limit, key }`). */
  readonly concurrencyByKey: ConcurrencyByKey<P> | undefined;
  readonly rateLimit: RateLimit<P> | undefined;
  /**
   * Checks a payload against the schema and applies its transforms (Elysia's t.Integer accepts "2"
   * and decodes it to 2), so the stored payload is what the handler's type promises.
   */
  parse(payload: unknown): ParsedPayload<P>;
}

export type ParsedPayload<P> = { ok: true; value: P } | { ok: false; issues: PayloadIssue[] };

export const defaultAttempts = 10;

export function defineJob<S extends TSchema, R = void>(spec: JobSpec<S, R>): JobDefinition<Static<S>, Awaited<R>> {
  const name = requireName(spec.name);
  const check = payloadChecker(requireSchema(name, spec.payload));
  requireFunction(name, "handler", spec.handler);
  return Object.freeze({
    name,
    schema: spec.payload,
    handler: spec.handler as JobDefinition<Static<S>, Awaited<R>>["handler"],
    attempts: positiveInteger(name, "attempts", spec.attempts ?? defaultAttempts),
    backoff: spec.backoff,
    timeoutMs: spec.timeoutMs === undefined ? undefined : positiveInteger(name, "timeoutMs", spec.timeoutMs),
    priority: priorityOf(name, spec.priority ?? 0),
    queue: requireQueue(name, spec.queue ?? "default"),
    concurrency:
      typeof spec.concurrency === "object" ? undefined : optionalPositive(name, "concurrency", spec.concurrency),
    concurrencyByKey: concurrencyByKey(name, spec.concurrency),
    rateLimit: rateLimit(name, spec.rateLimit),
    parse: (payload: unknown): ParsedPayload<Static<S>> =>
      check.check(payload)
        ? { ok: true, value: check.decode(payload) as Static<S> }
        : { ok: false, issues: [...check.errors(payload)].map((e) => ({ path: e.path, message: e.message })) },
  });
}

/**
 * Compiled once per definition where the runtime allows generating code, so enqueue-time checks are a
 * generated function call, not a schema walk. Cloudflare Workers refuse `new Function` (EvalError):
 * there TypeBox interprets the schema instead, with the same results.
 */
function payloadChecker(schema: TSchema): PayloadChecker {
  try {
    const compiled = TypeCompiler.Compile(schema);
    return {
      check: (value) => compiled.Check(value),
      decode: (value) => compiled.Decode(value),
      errors: (value) => compiled.Errors(value),
    };
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    return {
      check: (value) => Value.Check(schema, value),
      decode: (value) => Value.Decode(schema, value),
      errors: (value) => Value.Errors(schema, value),
    };
  }
}

interface PayloadChecker {
  check(value: unknown): boolean;
  decode(value: unknown): unknown;
  errors(value: unknown): Iterable<{ path: string; message: string }>;
}

/** U+0000: no store can hold it in a name, queue or key (PostgreSQL text refuses it), so none may contain it. */
export function hasNul(value: unknown): boolean {
  return typeof value === "string" && value.includes("\u0000");
}

/** A name, queue or key every store can hold: a non-empty string without U+0000. */
export function isStorableText(value: unknown): value is string {
  return typeof value === "string" && value !== "" && !hasNul(value);
}

function requireName(name: unknown): string {
  if (isStorableText(name) && name.trim() !== "") return name;
  throw new InvalidJobDefinitionError(
    `A job needs a non-empty string name without NUL characters, got ${describeValue(name)}.`,
  );
}

/** TypeBox marks every schema with this symbol (a global one, so any copy of TypeBox, Elysia's too, agrees). */
const typeboxKind = Symbol.for("TypeBox.Kind");

/**
 * Checked before compiling: TypeBox's own error for a missing schema names neither the job nor the fix.
 * The mark is read directly (as TypeBox's KindGuard.IsSchema does): importing the guard would load
 * TypeBox's type builders into the core.
 */
function requireSchema(job: string, schema: unknown): TSchema {
  if (
    typeof schema === "object" &&
    schema !== null &&
    typeof (schema as Record<symbol, unknown>)[typeboxKind] === "string"
  )
    return schema as TSchema;
  throw new InvalidJobDefinitionError(
    `Job "${job}": payload must be a TypeBox schema (Elysia's \`t\`), e.g. \`payload: t.Object({ to: t.String() })\` (t.Null() for none), got ${describe(schema)}.`,
  );
}

/** A job's handler, a workflow's run: a function, checked when defined rather than at the first attempt. */
export function requireFunction(job: string, field: string, value: unknown): void {
  if (typeof value === "function") return;
  throw new InvalidJobDefinitionError(`Job "${job}": ${field} must be a function, got ${describe(value)}.`);
}

function describe(value: unknown): string {
  return value === undefined ? "undefined (is it missing?)" : typeof value;
}

function requireQueue(job: string, queue: unknown): string {
  if (isStorableText(queue)) return queue;
  throw new InvalidJobDefinitionError(
    `Job "${job}": queue must be a non-empty string without NUL characters, got ${describeValue(queue)}.`,
  );
}

/** Every store keeps priority as a 32-bit integer (PostgreSQL's `integer`): the core refuses any other. */
export const minPriority = -(2 ** 31);
export const maxPriority = 2 ** 31 - 1;

function priorityOf(job: string, value: unknown): number {
  if (Number.isInteger(value) && (value as number) >= minPriority && (value as number) <= maxPriority)
    return value as number;
  throw new InvalidJobDefinitionError(
    `Job "${job}": priority must be an integer from ${minPriority} to ${maxPriority}, got ${describeValue(value)}.`,
  );
}

function positiveInteger(job: string, field: string, value: unknown): number {
  if (Number.isSafeInteger(value) && (value as number) > 0) return value as number;
  throw new InvalidJobDefinitionError(
    `Job "${job}": ${field} must be a positive integer, got ${describeValue(value)}.`,
  );
}

function optionalPositive(job: string, field: string, value: unknown): number | undefined {
  return value === undefined ? undefined : positiveInteger(job, field, value);
}

function concurrencyByKey<P>(job: string, value: number | ConcurrencyByKey<P> | undefined) {
  if (typeof value !== "object") return undefined;
  if (value === null || typeof value.key !== "function")
    throw new InvalidJobDefinitionError(`Job "${job}": concurrency.key must be a function of the payload.`);
  return Object.freeze({ limit: positiveInteger(job, "concurrency.limit", value.limit), key: value.key });
}

function rateLimit<P>(job: string, value: RateLimit<P> | undefined): RateLimit<P> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null)
    throw new InvalidJobDefinitionError(`Job "${job}": rateLimit must be { max, perMs, key? }.`);
  if (value.key !== undefined && typeof value.key !== "function")
    throw new InvalidJobDefinitionError(`Job "${job}": rateLimit.key must be a function of the payload.`);
  const max = positiveInteger(job, "rateLimit.max", value.max);
  const perMs = positiveInteger(job, "rateLimit.perMs", value.perMs);
  return Object.freeze(value.key ? { max, perMs, key: value.key, keyed: true } : { max, perMs });
}

/** Any job definition, whatever its payload type: what createJobs stores and the dispatcher runs. */
export type AnyJobDefinition = Omit<JobDefinition<never>, "parse" | "concurrencyByKey" | "rateLimit"> & {
  parse(payload: unknown): ParsedPayload<unknown>;
  readonly concurrencyByKey: { limit: number } | undefined;
  readonly rateLimit: { max: number; perMs: number; keyed?: boolean } | undefined;
};

/** The result type of a definition's handler: `JobRecord<ResultOf<typeof def>>`. */
export type ResultOf<D> = D extends { readonly handler: (...args: never[]) => infer R } ? Awaited<R> : unknown;
