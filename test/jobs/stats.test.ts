import { expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { FakeClock } from "../../src/clock/index.ts";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob } from "../../src/jobs/index.ts";
import { memoryStore } from "../../src/stores/memory/index.ts";

const minute = 60_000;
const job = defineJob({ name: "a", payload: Type.Object({}), handler: () => {} });

test("jobs.stats lists every bucket of the window, oldest first, the last one the current minute", async () => {
  const now = Date.parse("2026-06-01T12:04:30Z");
  const clock = new FakeClock(now);
  const store = memoryStore();
  const jobs = createJobs({ store, jobs: [job], clock, logger: silentLogger });
  await store.enqueue(
    [0, 1, 2].map(() => ({ name: "a", queue: "q", payload: {}, priority: 0, runAt: 0, maxAttempts: 1, key: null })),
    { now: now - 10 * minute },
  );
  const [x, y, z] = await store.claim({
    workerId: "w",
    limit: 3,
    now: now - 10 * minute,
    leaseMs: 60 * minute,
    names: ["a"],
  });
  await store.complete([x!.id], { workerId: "w", now: Date.parse("2026-06-01T12:01:59Z") });
  await store.complete([y!.id], { workerId: "w", now: Date.parse("2026-06-01T12:04:10Z") });
  await store.fail(
    [{ id: z!.id, error: { attempt: 1, at: now - 9 * minute, name: "E", message: "m" }, retryAt: null }],
    {
      workerId: "w",
      now: now - 9 * minute, // before the window
    },
  );
  const stats = await jobs.stats({ windowMs: 5 * minute, bucketMs: minute });
  expect(stats.now).toBe(now);
  expect(stats.activity.map((b) => new Date(b.at).toISOString().slice(11, 16))).toEqual([
    "12:00",
    "12:01",
    "12:02",
    "12:03",
    "12:04",
  ]);
  expect(stats.activity.map((b) => b.succeeded)).toEqual([0, 1, 0, 0, 1]);
  expect(stats.activity.every((b) => b.failed === 0 && b.dead === 0)).toBe(true);
  expect(stats.counts).toEqual([
    { queue: "q", name: "a", state: "dead", count: 1 },
    { queue: "q", name: "a", state: "succeeded", count: 2 },
  ]);
  await expect(jobs.stats({ bucketMs: 0 })).rejects.toThrow(RangeError);
});
