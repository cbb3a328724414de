import { afterEach, describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/clock/index.ts";
import {
  type CronDefinition,
  type CronService,
  createCron,
  defineCron,
  type MissedPolicy,
} from "../../src/cron/index.ts";
import { Host, silentLogger } from "../../src/hosting/index.ts";
import { cleanupJob, MemoryCronJobs, otherJob } from "./support/memory-cron-jobs.ts";

const hour = 3_600_000;
const running: CronService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop(AbortSignal.timeout(1_000))));
});

function hourly(
  options: { missed?: MissedPolicy; overlap?: boolean; timezone?: string; schedule?: string } = {},
): CronDefinition {
  return defineCron({
    name: "cleanup",
    schedule: options.schedule ?? "0 * * * *",
    job: cleanupJob,
    payload: { batch: 100 },
    ...options,
  });
}

async function startCron(clock: FakeClock, jobs: MemoryCronJobs, crons: CronDefinition[]): Promise<CronService> {
  const service = createCron({ jobs, crons, clock, logger: silentLogger });
  running.push(service);
  await service.start(new AbortController().signal);
  await clock.untilSleeping();
  return service;
}

describe("a running schedule", () => {
  test("an hourly schedule runs 24 times in 24 hours, once per hour, keyed by the tick", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    await startCron(clock, jobs, [hourly()]);

    await clock.advance(24 * hour);

    const ticks = jobs.ticks("cleanup");
    expect(ticks).toHaveLength(24);
    expect(ticks[0]).toBe("2026-06-01T01:00:00.000Z");
    expect(ticks.at(-1)).toBe("2026-06-02T00:00:00.000Z");
    expect(jobs.records.every((record) => record.runAt === Date.parse(record.key!.slice("cron:cleanup:".length)))).toBe(
      true,
    );
    expect(jobs.records.every((record) => JSON.stringify(record.payload) === '{"batch":100}')).toBe(true);
  });

  test("every cron gets its own ticks", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:00:30Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    const everyMinute = defineCron({ name: "minutely", schedule: "* * * * *", job: otherJob, payload: null });
    await startCron(clock, jobs, [hourly(), everyMinute]);

    await clock.advance(2 * hour);

    expect(jobs.ticks("cleanup")).toHaveLength(2);
    expect(jobs.ticks("minutely")).toHaveLength(120);
  });

  test("a disabled cron never runs", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    await startCron(clock, jobs, [
      defineCron({ name: "off", schedule: "0 * * * *", job: otherJob, payload: null, enabled: false }),
    ]);

    await clock.advance(5 * hour);

    expect(jobs.records).toHaveLength(0);
  });
});

describe("daylight saving time in Europe/Berlin", () => {
  async function runHourly(startIso: string, hours: number): Promise<number[]> {
    const clock = new FakeClock(Date.parse(startIso));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    await startCron(clock, jobs, [hourly({ timezone: "Europe/Berlin" })]);
    await clock.advance(hours * hour);
    return jobs.ticks("cleanup").map((iso) => Date.parse(iso));
  }

  function gaps(ticks: number[]): number[] {
    return ticks.slice(1).map((tick, i) => tick - ticks[i]!);
  }

  test("spring forward (2026-03-29): the local day has 23 hours and 23 runs, one per real hour", async () => {
    // 2026-03-29 00:00 in Berlin is 2026-03-28T23:00Z; the next midnight is 2026-03-29T22:00Z.
    const ticks = await runHourly("2026-03-28T22:30:00Z", 23);
    expect(ticks).toHaveLength(23);
    expect(new Date(ticks[0]!).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(new Date(ticks.at(-1)!).toISOString()).toBe("2026-03-29T21:00:00.000Z");
    expect(new Set(gaps(ticks))).toEqual(new Set([hour]));
  });

  test("fall back (2026-10-25): the local day has 25 hours and 25 runs, 02:00 twice as the clock shows it twice", async () => {
    const ticks = await runHourly("2026-10-24T21:30:00Z", 25);
    expect(ticks).toHaveLength(25);
    expect(new Set(gaps(ticks))).toEqual(new Set([hour]));
    const localHours = ticks.map((tick) =>
      new Date(tick).toLocaleString("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit" }),
    );
    expect(localHours.filter((h) => h === "02")).toHaveLength(2);
  });

  test("a daily 02:30 job runs exactly once on both change days, though 02:30 is missing once and doubled once", async () => {
    for (const [start, changeDay] of [
      ["2026-03-27T12:00:00Z", "2026-03-29"],
      ["2026-10-23T12:00:00Z", "2026-10-25"],
    ] as const) {
      const clock = new FakeClock(Date.parse(start));
      const jobs = new MemoryCronJobs(clock);
      jobs.finishOnEnqueue = true;
      const service = await startCron(clock, jobs, [hourly({ timezone: "Europe/Berlin", schedule: "30 2 * * *" })]);
      await clock.advance(72 * hour);
      await service.stop(AbortSignal.timeout(1_000));

      const localDays = jobs
        .ticks("cleanup")
        .map((iso) => new Date(iso).toLocaleDateString("en-CA", { timeZone: "Europe/Berlin" }));
      expect(localDays).toHaveLength(3);
      expect(new Set(localDays).size).toBe(3);
      expect(localDays).toContain(changeDay);
    }
  });
});

describe("missed ticks after a 10-hour sleep", () => {
  async function sleepTenHours(missed: MissedPolicy): Promise<MemoryCronJobs> {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    await startCron(clock, jobs, [hourly({ missed })]);
    await clock.jump(10 * hour); // 10:30: the ticks 01:00 ... 10:00 passed while suspended
    await clock.advance(10_000); // room for catch-up runs, which go one after another
    return jobs;
  }

  test("skip runs none of them", async () => {
    expect(await sleepTenHours("skip")).toHaveProperty("records", []);
  });

  test("run-once runs one, for the latest missed tick", async () => {
    expect((await sleepTenHours("run-once")).ticks("cleanup")).toEqual(["2026-06-01T10:00:00.000Z"]);
  });

  test("catchUp n runs the latest n, oldest first", async () => {
    expect((await sleepTenHours({ catchUp: 3 })).ticks("cleanup")).toEqual([
      "2026-06-01T08:00:00.000Z",
      "2026-06-01T09:00:00.000Z",
      "2026-06-01T10:00:00.000Z",
    ]);
  });

  test("catch-up runs never overlap: each waits for the one before to finish", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    await startCron(clock, jobs, [hourly({ missed: { catchUp: 3 } })]);
    await clock.jump(10 * hour);
    await clock.advance(10_000);
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T08:00:00.000Z"]);

    jobs.finishAll();
    await clock.advance(10_000);
    expect(jobs.ticks("cleanup")).toHaveLength(2);

    jobs.finishAll();
    await clock.advance(10_000);
    expect(jobs.ticks("cleanup")).toHaveLength(3);
  });

  test("with overlap: true the catch-up runs are enqueued together", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    await startCron(clock, jobs, [hourly({ missed: { catchUp: 3 }, overlap: true })]);
    await clock.jump(10 * hour);
    expect(jobs.ticks("cleanup")).toHaveLength(3);
    expect(jobs.records.every((record) => record.state === "ready")).toBe(true);
  });

  test("a short suspend across a tick, noticed within the late tolerance, still runs it under skip", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:59:50Z"));
    const jobs = new MemoryCronJobs(clock);
    await startCron(clock, jobs, [hourly()]);
    await clock.jump(30_000); // asleep from 00:59:50 to 01:00:20
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z"]);
  });

  test("the schedule goes on as usual after catching up", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    await startCron(clock, jobs, [hourly({ missed: "run-once" })]);
    await clock.jump(10 * hour);
    await clock.advance(2 * hour); // 10:30 -> 12:30
    expect(jobs.ticks("cleanup")).toEqual([
      "2026-06-01T10:00:00.000Z",
      "2026-06-01T11:00:00.000Z",
      "2026-06-01T12:00:00.000Z",
    ]);
  });
});

describe("restarts resume from the jobs table", () => {
  async function runThenRestart(missed: MissedPolicy): Promise<MemoryCronJobs> {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    const first = await startCron(clock, jobs, [hourly({ missed })]);
    await clock.advance(3 * hour); // runs 01:00, 02:00, 03:00
    await first.stop(AbortSignal.timeout(1_000));
    await clock.advance(4 * hour); // down from 03:30 to 07:30: 04:00 ... 07:00 missed
    await startCron(clock, jobs, [hourly({ missed })]);
    await clock.advance(10_000);
    return jobs;
  }

  test("run-once after downtime runs the latest missed tick once", async () => {
    expect((await runThenRestart("run-once")).ticks("cleanup").slice(3)).toEqual(["2026-06-01T07:00:00.000Z"]);
  });

  test("catchUp 2 after downtime runs the two latest missed ticks", async () => {
    expect((await runThenRestart({ catchUp: 2 })).ticks("cleanup").slice(3)).toEqual([
      "2026-06-01T06:00:00.000Z",
      "2026-06-01T07:00:00.000Z",
    ]);
  });

  test("skip after downtime runs nothing until the next tick", async () => {
    const jobs = await runThenRestart("skip");
    expect(jobs.ticks("cleanup")).toHaveLength(3);
  });

  test("a restart right after a tick enqueued does not enqueue it twice", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    const first = await startCron(clock, jobs, [hourly({ missed: "run-once" })]);
    await clock.advance(30 * 60_000 + 1_000); // 01:00:01, the 01:00 tick just enqueued
    await first.stop(AbortSignal.timeout(1_000));
    await startCron(clock, jobs, [hourly({ missed: "run-once" })]);
    await clock.advance(10_000);
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z"]);
  });
});

describe("overlap", () => {
  test("by default a tick is skipped while the previous run is unfinished", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    await startCron(clock, jobs, [hourly()]);

    await clock.advance(4 * hour); // 01:00 enqueued, never finishes: 02:00, 03:00, 04:00 skipped
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z"]);

    jobs.finishAll();
    await clock.advance(hour);
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z", "2026-06-01T05:00:00.000Z"]);
  });

  test("a run failed with a retry pending still blocks the next tick", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    await startCron(clock, jobs, [hourly()]);
    await clock.advance(hour);
    jobs.records[0]!.state = "failed";

    await clock.advance(hour);
    expect(jobs.ticks("cleanup")).toHaveLength(1);

    jobs.finishAll("dead");
    await clock.advance(hour);
    expect(jobs.ticks("cleanup")).toHaveLength(2);
  });

  test("an unfinished manual run blocks scheduled ticks too", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    const service = await startCron(clock, jobs, [hourly()]);
    await service.trigger("cleanup");

    await clock.advance(hour);
    expect(jobs.ticks("cleanup")).toHaveLength(0);
  });

  test("overlap: true starts every tick regardless", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    await startCron(clock, jobs, [hourly({ overlap: true })]);

    await clock.advance(4 * hour);
    expect(jobs.ticks("cleanup")).toHaveLength(4);
    expect(jobs.records.every((record) => record.state === "ready")).toBe(true);
  });
});

describe("store errors", () => {
  test("a failed enqueue is retried, and the tick still runs once", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    await startCron(clock, jobs, [hourly()]);
    jobs.failingEnqueues = 3;

    await clock.advance(hour);

    expect(jobs.failingEnqueues).toBe(0);
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z"]);
  });
});

describe("store errors while reading history", () => {
  test("the scheduler retries once per poll interval instead of spinning, then runs the tick once", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    await startCron(clock, jobs, [hourly()]);
    await clock.advanceTo(Date.parse("2026-06-01T00:59:59Z"));
    jobs.failingLists = 20;
    const callsBefore = jobs.listCalls;

    await clock.advance(10_001); // 01:00:00 to 01:00:10: the store refuses every read

    expect(jobs.listCalls - callsBefore).toBeGreaterThanOrEqual(10);
    expect(jobs.listCalls - callsBefore).toBeLessThanOrEqual(12);
    expect(jobs.records).toHaveLength(0);

    jobs.failingLists = 0;
    await clock.advance(5_000);
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z"]);
  });
});

describe("trigger and list", () => {
  test("trigger enqueues a manual run now, with the cron's payload, under a manual key", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    const service = createCron({ jobs, crons: [hourly()], clock, logger: silentLogger });

    const id = await service.trigger("cleanup");

    expect(jobs.records).toHaveLength(1);
    expect(jobs.records[0]).toMatchObject({
      id,
      key: "cron:cleanup:manual:2026-06-01T00:30:00.000Z",
      payload: { batch: 100 },
    });
    expect(jobs.ticks("cleanup")).toHaveLength(0);
  });

  test("list shows schedule, timezone, next run and the last run with its outcome", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    const off = defineCron({
      name: "off",
      schedule: "0 3 * * *",
      timezone: "Europe/Berlin",
      job: otherJob,
      payload: null,
      enabled: false,
    });
    const service = await startCron(clock, jobs, [hourly(), off]);

    const before = await service.list();
    expect(before).toEqual([
      {
        name: "cleanup",
        schedule: "0 * * * *",
        timezone: undefined,
        enabled: true,
        nextRunAt: new Date("2026-06-01T01:00:00Z"),
        lastRun: null,
      },
      { name: "off", schedule: "0 3 * * *", timezone: "Europe/Berlin", enabled: false, nextRunAt: null, lastRun: null },
    ]);

    await clock.advance(hour);
    const record = jobs.records[0]!;
    record.state = "dead";
    record.finishedAt = clock.now();
    record.errors.push({ attempt: 1, at: clock.now(), name: "Error", message: "database is locked" });

    const [cleanup] = await service.list();
    expect(cleanup!.nextRunAt).toEqual(new Date("2026-06-01T02:00:00Z"));
    expect(cleanup!.lastRun).toEqual({
      jobId: record.id,
      tick: new Date("2026-06-01T01:00:00Z"),
      state: "dead",
      enqueuedAt: new Date("2026-06-01T01:00:00Z"),
      finishedAt: new Date(clock.now()),
      lastError: "database is locked",
    });
  });

  test("trigger names an unknown cron in its error", async () => {
    const clock = new FakeClock();
    const service = createCron({ jobs: new MemoryCronJobs(clock), crons: [hourly()], clock, logger: silentLogger });
    expect(service.trigger("nope")).rejects.toThrow('No cron named "nope". Known crons: cleanup.');
  });
});

describe("hosting", () => {
  test("runs under a Host and stops promptly while sleeping until the next tick", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    const service = createCron({ jobs, crons: [hourly()], clock, logger: silentLogger });
    const host = new Host({ services: [service], logger: silentLogger, shutdownTimeoutMs: 1_000 });
    await host.start();
    await clock.untilSleeping();
    await clock.advance(hour);

    await host.stop();

    expect(host.health().reasons).toEqual(["host is stopped"]);
    expect(clock.sleeping).toBe(0);
    expect(jobs.ticks("cleanup")).toHaveLength(1);
    await service.executeTask;
  });
});
