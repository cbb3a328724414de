import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { t } from "elysia";
import { FakeClock } from "../../src/clock/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import {
  createJobs,
  defineJob,
  InvalidEnqueueOptionsError,
  InvalidEventDataError,
  InvalidPayloadError,
  InvalidWaitForOptionsError,
  type JobContext,
  type Jobs,
  JobsShutdownError,
  JobTimeoutError,
  LeaseLostError,
  NonRetryableError,
  UnknownJobError,
} from "../../src/jobs/index.ts";
import { ServiceRegistry, token } from "../../src/scope/index.ts";
import type { SqliteTx } from "../../src/stores/sqlite/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";
import { describeOnEachStore, startJobs, startSqliteJobs, until } from "./helpers.ts";

let running: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(...args: Parameters<typeof startJobs>) {
  const started = await startJobs(...args);
  running = started;
  return started;
}

const noRetryDelay = () => 0;

describeOnEachStore("running jobs", () => {
  test("a handler gets its typed payload and a context", async () => {
    const seen: { payload: { to: string }; ctx: JobContext }[] = [];
    const welcome = defineJob({
      name: "welcome",
      payload: t.Object({ to: t.String() }),
      handler: (payload, ctx) => void seen.push({ payload, ctx }),
    });
    const { jobs } = await start([welcome]);
    const id = await jobs.enqueue(welcome, { to: "a@example.com" });
    await until(() => seen.length === 1, "the handler");
    const [{ payload, ctx }] = seen as [(typeof seen)[0]];
    expect(payload).toEqual({ to: "a@example.com" });
    expect(ctx.attempt).toBe(1);
    expect(ctx.job.id).toBe(id);
    expect(ctx.job.name).toBe("welcome");
    expect(ctx.job.enqueuedAt).toBeInstanceOf(Date);
    expect(ctx.signal.aborted).toBe(false);
    expect(typeof ctx.logger.info).toBe("function");
    await until(async () => (await jobs.get(id))?.state === "succeeded", "the success write");
  });

  test("an enqueue wakes the dispatcher at once, without waiting for the poll", async () => {
    let ran = 0;
    const job = defineJob({ name: "fast", payload: t.Null(), handler: () => void ran++ });
    const { jobs } = await start([job], { pollIntervalMs: 60_000 });
    await Bun.sleep(20); // let the first (empty) claim pass, so the dispatcher is asleep
    await jobs.enqueue(job, null);
    await until(() => ran === 1, "the job to run long before the 60 s poll", 2_000);
  });

  test("each attempt gets its own scope, disposed when the handler ends", async () => {
    const Conn = token<{ id: number; closed: boolean; close(): void }>("conn");
    let next = 0;
    const registry = new ServiceRegistry().scoped(Conn, () => ({
      id: ++next,
      closed: false,
      close() {
        this.closed = true;
      },
    }));
    const used: { id: number; closed: boolean }[] = [];
    const job = defineJob({
      name: "scoped",
      payload: t.Number(),
      handler: (_, ctx) => void used.push(ctx.scope.get(Conn)),
    });
    const { jobs } = await start([job], { registry });
    await jobs.enqueueMany(job, [{ payload: 1 }, { payload: 2 }]);
    await until(() => used.length === 2 && used.every((c) => c.closed), "both scopes disposed");
    expect(new Set(used.map((c) => c.id)).size).toBe(2);
  });

  test("delayed jobs run once due, woken by their own timer rather than the poll", async () => {
    let ranAt = 0;
    const job = defineJob({ name: "later", payload: t.Null(), handler: () => void (ranAt = Date.now()) });
    const { jobs } = await start([job], { pollIntervalMs: 60_000 });
    const enqueuedAt = Date.now();
    const id = await jobs.enqueue(job, null, { delayMs: 150 });
    expect((await jobs.get(id))!.state).toBe("scheduled");
    await until(() => ranAt > 0, "the delayed job");
    expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(150);
  });

  test("at most `concurrency` of one job run at once", async () => {
    let now = 0;
    let peak = 0;
    let done = 0;
    const job = defineJob({
      name: "report",
      payload: t.Null(),
      concurrency: 2,
      handler: async () => {
        peak = Math.max(peak, ++now);
        await Bun.sleep(10);
        now--;
        done++;
      },
    });
    const { jobs } = await start([job], { executors: 8 });
    await jobs.enqueueMany(
      job,
      Array.from({ length: 10 }, () => ({ payload: null })),
    );
    await until(() => done === 10, "all reports");
    expect(peak).toBe(2);
  });
});

describeOnEachStore("failures", () => {
  test("a failing job is retried with its backoff and keeps the history", async () => {
    const attempts: number[] = [];
    const job = defineJob({
      name: "flaky",
      payload: t.Null(),
      backoff: () => 50,
      handler: (_, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`fail ${ctx.attempt}`);
      },
    });
    const { jobs } = await start([job], { pollIntervalMs: 60_000 });
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "succeeded", "success on attempt 3");
    expect(attempts).toEqual([1, 2, 3]);
    const record = (await jobs.get(id))!;
    expect(record.attempts).toBe(3);
    expect(record.errors.map((e) => [e.attempt, e.message])).toEqual([
      [1, "fail 1"],
      [2, "fail 2"],
    ]);
  });

  test("the backoff delays the retry", async () => {
    const job = defineJob({
      name: "slow-retry",
      payload: t.Null(),
      backoff: () => 60_000,
      handler: () => {
        throw new Error("no");
      },
    });
    const { jobs } = await start([job]);
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "failed", "the failure");
    const record = (await jobs.get(id))!;
    expect(record.runAt - record.errors[0]!.at).toBeGreaterThanOrEqual(59_000);
  });

  test("out of attempts -> dead, with the last error", async () => {
    const job = defineJob({
      name: "doomed",
      payload: t.Null(),
      attempts: 2,
      backoff: noRetryDelay,
      handler: () => {
        throw new TypeError("broken");
      },
    });
    const { jobs } = await start([job]);
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "dead", "dead");
    const record = (await jobs.get(id))!;
    expect(record.errors.map((e) => e.name)).toEqual(["TypeError", "TypeError"]);
    expect(record.finishedAt).not.toBeNull();
  });

  test("a backoff that throws or returns NaN falls back to the default backoff; the executor keeps running", async () => {
    for (const backoff of [
      () => {
        throw new Error("broken backoff");
      },
      () => Number.NaN,
    ]) {
      const job = defineJob({
        name: "broken-backoff",
        payload: t.Null(),
        attempts: 2,
        backoff,
        handler: () => {
          throw new Error("fails");
        },
      });
      const after = defineJob({ name: "after", payload: t.Null(), handler: () => {} });
      const { jobs, stop } = await startJobs([job, after], { executors: 1 });
      try {
        const id = await jobs.enqueue(job, null);
        await until(async () => (await jobs.get(id))?.state === "failed", "the retry to be scheduled");
        const record = (await jobs.get(id))!;
        expect(record.runAt).toBeGreaterThan(record.errors[0]!.at);
        const next = await jobs.enqueue(after, null);
        await until(async () => (await jobs.get(next))?.state === "succeeded", "the next job on the same executor");
      } finally {
        await stop();
      }
    }
  });

  test("a retry decided during shutdown sets no wake-up timer that outlives the service", async () => {
    const clock = new FakeClock(Date.now());
    let fail!: () => void;
    const job = defineJob({
      name: "fails-while-stopping",
      payload: t.Null(),
      backoff: () => 60_000,
      handler: () => new Promise<void>((_, reject) => (fail = () => reject(new Error("failed during shutdown")))),
    });
    const { jobs, stop } = await startJobs([job], { clock });
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "running", "the handler");
    const stopping = stop();
    fail();
    await stopping;
    expect(clock.sleeping).toBe(0);
  });

  test("NonRetryableError -> dead at once", async () => {
    let calls = 0;
    const job = defineJob({
      name: "refused",
      payload: t.Null(),
      handler: () => {
        calls++;
        throw new NonRetryableError("bad address");
      },
    });
    const { jobs } = await start([job]);
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "dead", "dead");
    expect(calls).toBe(1);
    expect((await jobs.get(id))!.errors[0]).toMatchObject({ name: "NonRetryableError", message: "bad address" });
  });

  test("a timeout aborts ctx.signal and fails the attempt", async () => {
    let aborted: unknown;
    const job = defineJob({
      name: "stuck",
      payload: t.Null(),
      attempts: 1,
      timeoutMs: 30,
      handler: (_, ctx) =>
        new Promise<void>(() => ctx.signal.addEventListener("abort", () => (aborted = ctx.signal.reason))),
    });
    const { jobs } = await start([job]);
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "dead", "dead by timeout");
    expect(aborted).toBeInstanceOf(JobTimeoutError);
    expect((await jobs.get(id))!.errors[0]!.name).toBe("JobTimeoutError");
  });

  test("a long handler keeps its lease by renewal", async () => {
    const job = defineJob({ name: "long", payload: t.Null(), handler: () => Bun.sleep(400) });
    const { jobs } = await start([job], { leaseMs: 150, pollIntervalMs: 20 });
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "succeeded", "success", 3_000);
    const record = (await jobs.get(id))!;
    expect(record.attempts).toBe(1);
    expect(record.errors).toEqual([]);
  });
});

describeOnEachStore("shutdown and leases", () => {
  test("stop lets the running handler finish and gives back the jobs that had not started", async () => {
    const startedIds: string[] = [];
    const job = defineJob({
      name: "queued",
      payload: t.Null(),
      handler: async (_, ctx) => {
        startedIds.push(ctx.job.id);
        await Bun.sleep(100);
      },
    });
    const { jobs } = await start([job], { executors: 1 });
    const ids = await jobs.enqueueMany(
      job,
      Array.from({ length: 5 }, () => ({ payload: null })),
    );
    await until(() => startedIds.length === 1, "the first handler");
    await jobs.stop(AbortSignal.timeout(5_000));
    expect(startedIds).toEqual([ids[0]!]);
    expect((await jobs.get(ids[0]!))!.state).toBe("succeeded");
    for (const id of ids.slice(1))
      expect(await jobs.get(id)).toMatchObject({ state: "ready", attempts: 0, lockedBy: null });
  });

  test("a handler still running at the deadline is aborted with JobsShutdownError and its job released", async () => {
    let reason: unknown;
    const job = defineJob({
      name: "honours-signal",
      payload: t.Null(),
      handler: (_, ctx) =>
        new Promise<void>((_, reject) =>
          ctx.signal.addEventListener("abort", () => {
            reason = ctx.signal.reason;
            reject(ctx.signal.reason);
          }),
        ),
    });
    const { jobs } = await start([job]);
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "running", "the handler");
    await jobs.stop(AbortSignal.timeout(50));
    expect(reason).toBeInstanceOf(JobsShutdownError);
    expect(await jobs.get(id)).toMatchObject({ state: "ready", attempts: 0, lockedBy: null, errors: [] });
  });

  test("a lost lease aborts the handler with LeaseLostError and its result is not recorded", async () => {
    let reason: unknown;
    const job = defineJob({
      name: "stalled",
      payload: t.Null(),
      handler: (_, ctx) =>
        new Promise<void>((resolve) =>
          ctx.signal.addEventListener("abort", () => {
            reason = ctx.signal.reason;
            resolve(); // "succeeds" after losing the lease: must not be recorded
          }),
        ),
    });
    // No polling during the test: the dispatcher must not recover and re-claim the job itself.
    const { jobs } = await start([job], { leaseMs: 300, pollIntervalMs: 60_000 });
    const id = await jobs.enqueue(job, null);
    await until(async () => (await jobs.get(id))?.state === "running", "the handler");
    // As if this process had stalled past its lease: another worker recovers and takes the job.
    await jobs.store.recoverExpired({ now: Date.now() + 60_000 });
    await jobs.store.claim({ workerId: "other", limit: 1, now: Date.now(), leaseMs: 60_000, names: ["stalled"] });
    await until(() => reason !== undefined, "the renewer to notice the lost lease");
    expect(reason).toBeInstanceOf(LeaseLostError);
    await Bun.sleep(20);
    expect(await jobs.get(id)).toMatchObject({ state: "running", lockedBy: "other", attempts: 2 });
  });
});

describe("claiming ahead of slow outcome writes", () => {
  test("claims go on while outcomes wait for their write, with at most channelCapacity + executors jobs not run to their end; stop writes every outcome", async () => {
    const database = new Database(":memory:");
    const real = sqliteStore({ database });
    const window = 2 + 3; // executors + channelCapacity
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let claimed = 0;
    let ended = 0;
    let peakUnfinished = 0;
    // The real store; every outcome write waits for the gate, like a database that is slow to write.
    const slowWrites: Partial<typeof real> = {
      claim: async (options) => {
        const jobs = await real.claim(options);
        claimed += jobs.length;
        // Handlers end before the runner counts them out, so this never undercounts the runner's window.
        peakUnfinished = Math.max(peakUnfinished, claimed - ended);
        return jobs;
      },
      complete: async (ids, options) => {
        await gate;
        return real.complete(ids, options);
      },
    };
    const slow = new Proxy(real, {
      get: (target, property, receiver) => {
        const value: unknown =
          slowWrites[property as keyof typeof slowWrites] ?? Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const runs = new Map<string, number>();
    const job = defineJob({
      name: "quick",
      payload: t.Null(),
      handler: async (_, ctx) => {
        runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
        await Bun.sleep(1);
        ended++;
      },
    });
    // A short lease and a fast poll: leases of jobs whose outcome is unwritten must be renewed, or
    // the dispatcher's own recovery would take them back.
    const service = createJobs({
      store: slow,
      jobs: [job],
      logger: silentLogger,
      executors: 2,
      channelCapacity: 3,
      // Room for every outcome here: this test is about claiming, the next one about this limit.
      maxUnwrittenOutcomes: 1000,
      leaseMs: 150,
      pollIntervalMs: 20,
    });
    const ids = await service.enqueueMany(
      job,
      Array.from({ length: 60 }, () => ({ payload: null })),
    );
    await service.start(new AbortController().signal);
    running = { stop: () => (openGate(), service.stop(AbortSignal.timeout(1_000))).then(() => database.close()) };

    await until(() => ended > window, "handlers to run past the first window while no outcome is written");
    await Bun.sleep(400); // several leases long
    expect(peakUnfinished).toBeGreaterThan(0);
    expect(peakUnfinished).toBeLessThanOrEqual(window);
    // Outcomes awaiting their write are bounded too: claiming pauses instead of piling up leases.
    expect(ended).toBeLessThan(ids.length);

    const stopped = service.stop(AbortSignal.timeout(5_000));
    await Bun.sleep(50);
    openGate();
    await stopped;
    running = { stop: async () => database.close() };
    for (const id of ids) {
      const record = (await service.get(id))!;
      if (runs.has(id)) expect(record).toMatchObject({ state: "succeeded", attempts: 1 });
      else expect(record).toMatchObject({ state: "ready", attempts: 0, lockedBy: null });
    }
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(runs.size).toBe(ended);
  });
});

describe("the at-least-once window", () => {
  test("executors start no job while maxUnwrittenOutcomes outcomes await their write: at most executors + maxUnwrittenOutcomes - 1 jobs ran without their outcome stored", async () => {
    const database = new Database(":memory:");
    const real = sqliteStore({ database });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const ran = new Set<string>();
    let writes = 0;
    const slow = new Proxy(real, {
      get: (target, property, receiver) => {
        if (property === "complete") {
          return async (ids: string[], options: { workerId: string; now: number }) => {
            writes++;
            await gate;
            return real.complete(ids, options);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const job = defineJob({
      name: "quick",
      payload: t.Null(),
      handler: async (_, ctx) => {
        ran.add(ctx.job.id);
        await Bun.sleep(1);
      },
    });
    const [executors, maxUnwrittenOutcomes] = [3, 4];
    const service = createJobs({
      store: slow,
      jobs: [job],
      logger: silentLogger,
      executors,
      channelCapacity: 20,
      maxUnwrittenOutcomes,
      pollIntervalMs: 20,
    });
    const ids = await service.enqueueMany(
      job,
      Array.from({ length: 40 }, () => ({ payload: null })),
    );
    await service.start(new AbortController().signal);
    running = { stop: () => (openGate(), service.stop(AbortSignal.timeout(1_000))).then(() => database.close()) };

    await until(() => writes > 0, "the first outcome write to start");
    await Bun.sleep(200);
    // A crash now would run again every job started without its outcome stored.
    expect(ran.size).toBe(executors + maxUnwrittenOutcomes - 1);

    // Stopping gives back the jobs the executors were holding at the limit, unstarted, and writes the rest.
    const stopped = service.stop(AbortSignal.timeout(5_000));
    await Bun.sleep(50);
    openGate();
    await stopped;
    running = { stop: async () => database.close() };
    for (const id of ids) {
      const record = (await service.get(id))!;
      if (ran.has(id)) expect(record).toMatchObject({ state: "succeeded", attempts: 1 });
      else expect(record).toMatchObject({ state: "ready", attempts: 0, lockedBy: null });
    }
  });
});

describe("an unreachable store", () => {
  test("claims and outcome writes are retried; health says why meanwhile", async () => {
    const database = new Database(":memory:");
    const real = sqliteStore({ database });
    let failClaims = 3;
    let failCompletes = 2;
    const outage = new Error("database is locked");
    // The real store, with its first claims and completions failing like a database that is down.
    const outages: Partial<typeof real> = {
      claim: (options) => (failClaims-- > 0 ? Promise.reject(outage) : real.claim(options)),
      complete: (ids, options) => (failCompletes-- > 0 ? Promise.reject(outage) : real.complete(ids, options)),
    };
    const flaky = new Proxy(real, {
      get: (target, property, receiver) => {
        const value: unknown = outages[property as keyof typeof outages] ?? Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    let ran = 0;
    const job = defineJob({ name: "resilient", payload: t.Null(), handler: () => void ran++ });
    const service = createJobs({ store: flaky, jobs: [job], logger: silentLogger, pollIntervalMs: 20 });
    const id = await service.enqueue(job, null);
    await service.start(new AbortController().signal);
    running = { stop: () => service.stop(AbortSignal.timeout(1_000)).then(() => database.close()) };
    await until(() => failClaims < 2, "a failed claim");
    expect(service.health()).toEqual({ ready: false, reason: "job store unreachable: database is locked" });
    await until(
      async () => (await service.get(id))?.state === "succeeded",
      "the job to succeed once the store answers",
    );
    expect(ran).toBe(1);
    expect(failCompletes).toBeLessThan(0);
    expect(service.health()).toEqual({ ready: true });
  });
});

describe("bad input: a typed error and nothing written", () => {
  const mail = defineJob({
    name: "mail",
    payload: t.Object({ to: t.String({ format: "email" }), n: t.Integer() }),
    handler: () => {},
  });

  type Enqueue = (jobs: Jobs<SqliteTx>) => Promise<unknown>;
  const cases: [string, Enqueue, new (...args: never[]) => Error][] = [
    [
      "unknown job",
      (jobs) => jobs.enqueue(defineJob({ name: "nope", payload: t.Null(), handler: () => {} }), null),
      UnknownJobError,
    ],
    ["payload failing its schema", (jobs) => jobs.enqueue(mail, { to: "a@example.com", n: 1.5 }), InvalidPayloadError],
    ["payload of the wrong shape", (jobs) => jobs.enqueue(mail, { to: 3 } as never), InvalidPayloadError],
    [
      "negative delay",
      (jobs) => jobs.enqueue(mail, { to: "a@example.com", n: 1 }, { delayMs: -1 }),
      InvalidEnqueueOptionsError,
    ],
    [
      "runAt not a date",
      (jobs) => jobs.enqueue(mail, { to: "a@example.com", n: 1 }, { runAt: "tomorrow" as never }),
      InvalidEnqueueOptionsError,
    ],
    [
      "runAt an invalid date",
      (jobs) => jobs.enqueue(mail, { to: "a@example.com", n: 1 }, { runAt: new Date("nope") }),
      InvalidEnqueueOptionsError,
    ],
    [
      "delayMs and runAt together",
      (jobs) => jobs.enqueue(mail, { to: "a@example.com", n: 1 }, { delayMs: 1, runAt: new Date() }),
      InvalidEnqueueOptionsError,
    ],
    [
      // PostgreSQL keeps priority as a 32-bit integer: the core refuses it on every store alike.
      "priority beyond a 32-bit integer",
      (jobs) => jobs.enqueue(mail, { to: "a@example.com", n: 1 }, { priority: 1e12 }),
      InvalidEnqueueOptionsError,
    ],
    [
      "priority below a 32-bit integer",
      (jobs) => jobs.enqueue(mail, { to: "a@example.com", n: 1 }, { priority: -(2 ** 31) - 1 }),
      InvalidEnqueueOptionsError,
    ],
    [
      "one bad item in a batch",
      (jobs) => jobs.enqueueMany(mail, [{ payload: { to: "a@example.com", n: 1 } }, { payload: { to: "x", n: 1 } }]),
      InvalidPayloadError,
    ],
  ];
  test.each(cases)("%s", async (_, enqueue, errorClass) => {
    const { jobs } = await start([mail]);
    const error = await Promise.resolve()
      .then(() => enqueue(jobs))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toContain('"');
    expect((await jobs.counts()).byState).toMatchObject({ ready: 0, scheduled: 0 });
    expect((await jobs.list()).jobs).toEqual([]);
  });

  test("a valid payload is decoded by the schema's transforms before it is stored", async () => {
    const { jobs } = await start([mail]);
    const id = await jobs.enqueue(mail, { to: "a@example.com", n: "2" as never });
    expect((await jobs.get(id))!.payload).toEqual({ to: "a@example.com", n: 2 });
  });

  test("a wrong payload does not compile", async () => {
    const { jobs } = await start([mail]);
    // @ts-expect-error `n` must be a number: the payload type comes from the definition's schema
    const wrong = () => jobs.enqueue(mail, { to: "a@example.com", n: "one" });
    // @ts-expect-error `to` is required
    const missing = () => jobs.enqueueMany(mail, [{ payload: { n: 1 } }]);
    await expect(wrong()).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(missing()).rejects.toBeInstanceOf(InvalidPayloadError);
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY, "5"])("waitFor refuses timeoutMs %p", async (timeoutMs) => {
    const { jobs } = await start([mail]);
    const id = await jobs.enqueue(mail, { to: "a@example.com", n: 1 }, { delayMs: 60_000 });
    const error = await jobs.waitFor(id, { timeoutMs: timeoutMs as number }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidWaitForOptionsError);
    expect((error as Error).message).toContain("timeoutMs must be a finite number >= 0");
  });

  test("messages show the value as given: a string quoted, NaN and Infinity by name", async () => {
    const { jobs } = await start([mail]);
    const message = async (run: () => unknown) => {
      try {
        await run();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("expected an error");
    };
    const payload = { to: "a@example.com", n: 1 };
    expect(await message(() => jobs.enqueue(mail, payload, { key: "k", debounceMs: Number.NaN }))).toContain(
      "got NaN.",
    );
    expect(await message(() => jobs.enqueue(mail, payload, { key: "k", keyTtlMs: Infinity }))).toContain(
      "got Infinity.",
    );
    expect(await message(() => jobs.enqueue(mail, payload, { priority: "5" as never }))).toContain(
      'got the string "5".',
    );
    expect(await message(() => jobs.waitFor("1", { timeoutMs: "100" as never }))).toContain('got the string "100".');
    const limited = { name: "x", payload: t.Null(), handler: () => {}, rateLimit: { max: "5" as never, perMs: 1000 } };
    expect(await message(() => defineJob(limited))).toContain('got the string "5".');
  });

  test("sendEvent refuses data JSON cannot hold, naming the event; nothing is sent", async () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const { jobs } = await start([mail]);
    for (const data of [() => 1, 10n, cyclic, Symbol("s")]) {
      const error = await jobs.sendEvent("order:7", data).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEventDataError);
      expect((error as Error).message).toContain('sendEvent("order:7")');
      expect((error as Error).message).not.toContain("..");
    }
    expect(await jobs.sendEvent("order:7", { ok: true })).toBe(0);
  });

  test("the payload error names the field", async () => {
    const { jobs } = await start([mail]);
    const error = await jobs.enqueue(mail, { to: "a@example.com", n: 1.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as InvalidPayloadError).issues[0]!.path).toBe("/n");
  });
});

describe("transactional enqueue on SQLite", () => {
  test("enqueueSync inside a rolled-back drizzle transaction leaves nothing; a committed one runs", async () => {
    let ran = 0;
    const job = defineJob({ name: "outbox", payload: t.Object({ user: t.Integer() }), handler: () => void ran++ });
    const started = await startSqliteJobs([job]);
    running = started;
    const { jobs, database } = started;
    database.run("CREATE TABLE users (id INTEGER PRIMARY KEY)");
    const db = drizzle({ client: database });
    expect(() =>
      db.transaction((tx) => {
        tx.run("INSERT INTO users (id) VALUES (1)");
        jobs.enqueueSync(job, { user: 1 }, { tx });
        throw new Error("business rule failed");
      }),
    ).toThrow("business rule failed");
    expect(database.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 0 });
    expect((await jobs.counts()).byName).toEqual({});

    db.transaction((tx) => {
      tx.run("INSERT INTO users (id) VALUES (2)");
      jobs.enqueueSync(job, { user: 2 }, { tx });
    });
    await until(() => ran === 1, "the committed job");
  });
});

describeOnEachStore("admin API", () => {
  test("counts, list, retry, discard and prune", async () => {
    const ok = defineJob({ name: "ok", payload: t.Null(), handler: () => {} });
    const bad = defineJob({
      name: "bad",
      payload: t.Null(),
      handler: () => {
        throw new NonRetryableError("no");
      },
    });
    const { jobs } = await start([ok, bad]);
    await jobs.enqueue(ok, null);
    const badId = await jobs.enqueue(bad, null);
    const later = await jobs.enqueue(ok, null, { delayMs: 60_000 });
    await until(
      async () => (await jobs.counts()).byState.succeeded === 1 && (await jobs.counts()).byState.dead === 1,
      "outcomes",
    );
    expect((await jobs.counts()).byName).toMatchObject({ ok: { succeeded: 1, scheduled: 1 }, bad: { dead: 1 } });
    expect((await jobs.list({ state: "dead" })).jobs.map((j) => j.id)).toEqual([badId]);
    expect(await jobs.retry(badId)).toBe(true);
    await until(async () => (await jobs.get(badId))!.errors.length === 2, "the retried run");
    expect(await jobs.discard(later)).toBe(true);
    expect(await jobs.prune({ olderThanMs: 60_000 })).toBe(0); // finished just now: kept
    await Bun.sleep(2);
    expect(await jobs.prune({ olderThanMs: 0 })).toBe(1);
    expect((await jobs.counts()).byName.ok).toBeUndefined();
  });
});
