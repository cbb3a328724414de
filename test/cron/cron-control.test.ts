import { afterEach, describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/clock/index.ts";
import {
  type CronDefinition,
  type CronEvent,
  type CronService,
  createCron,
  cronOfKey,
  defineCron,
  UnknownCronError,
} from "../../src/cron/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { cleanupJob, MemoryCronJobs } from "./support/memory-cron-jobs.ts";

const hour = 3_600_000;
const running: CronService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop(AbortSignal.timeout(1_000))));
});

const hourly = (options: Partial<{ enabled: boolean; overlap: boolean }> = {}): CronDefinition =>
  defineCron({ name: "cleanup", schedule: "0 * * * *", job: cleanupJob, payload: { batch: 1 }, ...options });

async function startCron(clock: FakeClock, jobs: MemoryCronJobs, crons: CronDefinition[], start = true) {
  const service = createCron({ jobs, crons, clock, logger: silentLogger });
  running.push(service);
  const events: { type: string; cron: string; detail: unknown }[] = [];
  for (const type of ["enqueued", "skipped", "missed"] as const)
    service.events.addEventListener(type, (event: CronEvent) =>
      events.push({ type: event.type, cron: event.cron, detail: event.detail }),
    );
  if (start) {
    await service.start(new AbortController().signal);
    await clock.untilSleeping();
  }
  return { service, events };
}

describe("disable and enable", () => {
  test("a disabled cron enqueues nothing; enabled again, it resumes at its next tick without the ticks it passed", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    const { service } = await startCron(clock, jobs, [hourly()]);
    await clock.advance(hour); // 01:00 runs
    service.disable("cleanup");
    expect((await service.list())[0]).toMatchObject({ enabled: false, nextRunAt: null });
    await clock.advance(3 * hour); // 02:00, 03:00, 04:00 pass while disabled
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z"]);
    service.enable("cleanup");
    await clock.untilSleeping();
    expect((await service.list())[0]!.nextRunAt?.toISOString()).toBe("2026-06-01T05:00:00.000Z");
    await clock.advance(hour);
    expect(jobs.ticks("cleanup")).toEqual(["2026-06-01T01:00:00.000Z", "2026-06-01T05:00:00.000Z"]);
  });

  test("enable wakes a scheduler that sleeps longer than the next tick", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:59:30Z"));
    const jobs = new MemoryCronJobs(clock);
    const every10s = defineCron({
      name: "fast",
      schedule: "*/10 * * * * *",
      job: cleanupJob,
      payload: { batch: 1 },
      enabled: false,
      overlap: true,
    });
    const { service } = await startCron(clock, jobs, [every10s]);
    // Disabled at definition: the scheduler sleeps its maximum (a minute).
    service.enable("fast");
    await clock.untilSleeping();
    await clock.advance(10_000);
    expect(jobs.ticks("fast")).toEqual(["2026-06-01T00:59:40.000Z"]);
  });

  test("trigger runs a disabled cron by hand; unknown names are a typed error", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    const { service } = await startCron(clock, jobs, [hourly({ enabled: false })], false);
    const id = await service.trigger("cleanup");
    expect(jobs.records.map((r) => r.id)).toEqual([id]);
    expect(() => service.disable("nope")).toThrow(UnknownCronError);
    expect(() => service.enable("nope")).toThrow(UnknownCronError);
    expect(service.runs("nope")).rejects.toThrow(UnknownCronError);
  });
});

describe("runs", () => {
  test("the newest runs of the cron, ticks and triggers, newest first, without other jobs of its job name", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    jobs.finishOnEnqueue = true;
    const { service } = await startCron(clock, jobs, [hourly()]);
    await clock.advance(3 * hour);
    await jobs.enqueue(cleanupJob, { batch: 2 }, { key: "not-a-cron-run", runAt: new Date(clock.now()) });
    const manual = await service.trigger("cleanup");
    const runs = await service.runs("cleanup", { limit: 3 });
    expect(runs.map((run) => run.tick?.toISOString() ?? "manual")).toEqual([
      "manual",
      "2026-06-01T03:00:00.000Z",
      "2026-06-01T02:00:00.000Z",
    ]);
    expect(runs[0]).toMatchObject({ jobId: manual, state: "succeeded" });
  });
});

describe("events", () => {
  test("enqueued for each tick and trigger, skipped while a run is unfinished, missed after downtime", async () => {
    const clock = new FakeClock(Date.parse("2026-06-01T00:30:00Z"));
    const jobs = new MemoryCronJobs(clock);
    const { service, events } = await startCron(clock, jobs, [hourly()]);
    await clock.advance(hour); // 01:00 enqueued, stays unfinished
    await clock.advance(hour); // 02:00 skipped
    const manual = await service.trigger("cleanup");
    expect(events).toEqual([
      { type: "enqueued", cron: "cleanup", detail: { jobId: "1", tick: Date.parse("2026-06-01T01:00:00Z") } },
      {
        type: "skipped",
        cron: "cleanup",
        detail: { ticks: [Date.parse("2026-06-01T02:00:00Z")], unfinishedJobId: "1" },
      },
      { type: "enqueued", cron: "cleanup", detail: { jobId: manual, tick: null } },
    ]);

    // Asleep from 02:30 to 07:30: with the default policy (skip) the ticks that passed are missed.
    jobs.finishAll();
    events.length = 0;
    await clock.jump(5 * hour);
    await clock.untilSleeping();
    const missed = {
      type: "missed",
      cron: "cleanup",
      detail: { since: Date.parse("2026-06-01T02:00:00Z"), noticedAt: clock.now(), catchUpRuns: 0 },
    };
    expect(events).toEqual([missed]);
    // Woken just on time for 10:00: that tick runs, the ones before it are missed.
    events.length = 0;
    await clock.jump(2.5 * hour);
    await clock.untilSleeping();
    expect(events.map((e) => e.type)).toEqual(["missed", "enqueued"]);
    expect(events[0]!.detail).toEqual({
      since: Date.parse("2026-06-01T07:00:00Z"),
      noticedAt: clock.now(),
      catchUpRuns: 0,
    });
  });

  test("cronOfKey names the cron of tick and manual keys only", () => {
    expect(cronOfKey("cron:nightly-report:2026-06-01T00:00:00.000Z")).toBe("nightly-report");
    expect(cronOfKey("cron:a.b:manual:2026-06-01T00:00:00.000Z")).toBe("a.b");
    expect(cronOfKey("order:7")).toBeUndefined();
    expect(cronOfKey("cron::x")).toBeUndefined();
  });
});
