import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { FakeClock } from "../../src/clock/index.ts";
import {
  createCron,
  DuplicateCronError,
  defineCron,
  InvalidCronDefinitionError,
  InvalidCronScheduleError,
  InvalidCronTimezoneError,
  type MissedPolicy,
} from "../../src/cron/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { cleanupJob, MemoryCronJobs } from "./support/memory-cron-jobs.ts";

const base = { name: "token-cleanup", schedule: "0 * * * *", job: cleanupJob, payload: { batch: 1 } };

describe("defineCron validates at registration", () => {
  test.each(["bogus", "61 * * * *", "* * *", "0 0 31 2 * * 1999"])(
    "invalid expression %p is an error naming the cron",
    (schedule) => {
      const define = () => defineCron({ ...base, schedule });
      expect(define).toThrow(InvalidCronScheduleError);
      expect(define).toThrow(`Cron "token-cleanup": invalid schedule ${JSON.stringify(schedule)}`);
    },
  );

  test("an unknown timezone is an error naming the cron and the timezone", () => {
    const define = () => defineCron({ ...base, timezone: "Mars/Olympus_Mons" });
    expect(define).toThrow(InvalidCronTimezoneError);
    expect(define).toThrow('Cron "token-cleanup": unknown timezone "Mars/Olympus_Mons"');
  });

  test("a valid timezone, nickname and six-field expression are accepted", () => {
    expect(defineCron({ ...base, schedule: "@daily", timezone: "America/New_York" }).schedule.timezone).toBe(
      "America/New_York",
    );
    expect(defineCron({ ...base, schedule: "*/5 * * * * *" }).schedule.next(0)).toBe(5_000);
  });

  test.each(["", "has space", "a:b", "ü"])("name %p is rejected: it becomes part of job keys", (name) => {
    expect(() => defineCron({ ...base, name })).toThrow(InvalidCronDefinitionError);
  });

  test.each([{ catchUp: 0 }, { catchUp: 1.5 }, { catchUp: -1 }, "always"] as unknown as MissedPolicy[])(
    "missed policy %p is rejected",
    (missed) => {
      expect(() => defineCron({ ...base, missed })).toThrow(
        'Cron "token-cleanup": missed must be "skip", "run-once" or { catchUp: n }',
      );
    },
  );

  test("defaults: missed skip, no overlap, enabled, UTC", () => {
    const cron = defineCron(base);
    expect(cron).toMatchObject({ name: "token-cleanup", missed: "skip", overlap: false, enabled: true });
    expect(cron.schedule.timezone).toBeUndefined();
    expect(cron.schedule.next(Date.parse("2026-01-01T10:15:00Z"))).toBe(Date.parse("2026-01-01T11:00:00Z"));
  });

  test("createCron rejects two crons with one name", () => {
    const clock = new FakeClock();
    expect(() =>
      createCron({
        jobs: new MemoryCronJobs(clock),
        crons: [defineCron(base), defineCron(base)],
        logger: silentLogger,
      }),
    ).toThrow(DuplicateCronError);
  });

  test("createCron rejects negative intervals", () => {
    const clock = new FakeClock();
    expect(() =>
      createCron({ jobs: new MemoryCronJobs(clock), crons: [], pollIntervalMs: -1, logger: silentLogger }),
    ).toThrow(RangeError);
  });
});

describe("the two forms", () => {
  test("a payload the job's schema refuses is an error at registration", () => {
    const define = () => defineCron({ ...base, payload: { batch: "many" } as unknown as { batch: number } });
    expect(define).toThrow(InvalidCronDefinitionError);
    expect(define).toThrow('Cron "token-cleanup": its payload does not match job "cleanup": /batch:');
  });

  test("a plain handler gets a job of its own, named after the cron, with the job options given", () => {
    const cron = defineCron({
      name: "token-cleanup",
      schedule: "0 * * * *",
      attempts: 3,
      timeoutMs: 5_000,
      handler: () => {},
    });
    expect(cron.job).toMatchObject({ name: "cron.token-cleanup", attempts: 3, timeoutMs: 5_000 });
    expect(cron.payloadFor(Date.parse("2026-01-01T10:00:00Z"))).toEqual({ tick: "2026-01-01T10:00:00.000Z" });
    expect(cron.job.parse(cron.payloadFor(0)).ok).toBe(true);
  });

  test("a plain handler's payload schema is exactly what TypeBox builds, and it checks the tick", () => {
    const cron = defineCron({ name: "token-cleanup", schedule: "0 * * * *", handler: () => {} });
    // Symbol keys included: TypeBox's compiler and Elysia dispatch on the Kind symbol.
    expect(cron.job.schema).toStrictEqual(Type.Object({ tick: Type.String() }));
    expect(cron.job.parse({ tick: 1 })).toMatchObject({ ok: false, issues: [{ path: "/tick" }] });
    expect(cron.job.parse({})).toMatchObject({ ok: false });
  });

  test("job and handler together are refused", () => {
    const both = { ...base, handler: () => {} } as unknown as Parameters<typeof defineCron>[0];
    expect(() => defineCron(both)).toThrow("give either job (with payload) or handler, not both");
  });
});
