import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import {
  createJobs,
  defaultBackoff,
  defineJob,
  defineWorkflow,
  exponentialBackoff,
  InvalidJobDefinitionError,
} from "../../src/jobs/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";

const handler = () => {};

describe("defineJob", () => {
  test("fills the defaults", () => {
    const job = defineJob({ name: "a", payload: t.Null(), handler });
    expect(job).toMatchObject({
      name: "a",
      attempts: 10,
      priority: 0,
      queue: "default",
      timeoutMs: undefined,
      concurrency: undefined,
    });
  });

  test.each([
    ["an empty name", { name: " " }],
    ["zero attempts", { attempts: 0 }],
    ["fractional attempts", { attempts: 1.5 }],
    ["a negative timeout", { timeoutMs: -1 }],
    ["a fractional priority", { priority: 0.5 }],
    ["a priority beyond a 32-bit integer", { priority: 2 ** 31 }],
    ["zero concurrency", { concurrency: 0 }],
    ["an empty queue", { queue: "" }],
  ])("refuses %s", (_, overrides) => {
    expect(() => defineJob({ name: "a", payload: t.Null(), handler, ...overrides })).toThrow(InvalidJobDefinitionError);
  });
});

describe("a missing part is a typed error naming it", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["defineJob without payload", () => defineJob({ name: "a", handler } as never), /"a": payload must be a TypeBox/],
    ["defineJob with a non-schema payload", () => defineJob({ name: "a", payload: {}, handler } as never), /payload/],
    ["defineJob without handler", () => defineJob({ name: "a", payload: t.Null() } as never), /"a": handler must/],
    ["defineWorkflow without run", () => defineWorkflow({ name: "w", payload: t.Null() } as never), /"w": run must/],
    ["createJobs without store", () => createJobs({ jobs: [], logger: silentLogger } as never), /`store` is required/],
    [
      "createJobs without jobs",
      () => createJobs({ store: sqliteStore({ database: new Database(":memory:") }) } as never),
      /`jobs` must be an array/,
    ],
  ];
  test.each(cases)("%s", (_, make, message) => {
    expect(make).toThrow(InvalidJobDefinitionError);
    expect(make).toThrow(message);
  });
});

describe("createJobs", () => {
  const store = () => sqliteStore({ database: new Database(":memory:") });

  test("refuses two definitions with one name", () => {
    const a = defineJob({ name: "same", payload: t.Null(), handler });
    const b = defineJob({ name: "same", payload: t.Null(), handler });
    expect(() => createJobs({ store: store(), jobs: [a, b], logger: silentLogger })).toThrow(/named "same"/);
  });

  test.each([
    ["executors", 0],
    ["executors", 1.5],
    ["channelCapacity", -1],
    ["leaseMs", 0],
    ["pollIntervalMs", Number.NaN],
  ])("refuses %s = %p", (option, value) => {
    expect(() => createJobs({ store: store(), jobs: [], logger: silentLogger, [option]: value })).toThrow(
      InvalidJobDefinitionError,
    );
  });
});

describe("backoff", () => {
  test("doubles from the base, capped, with jitter in the upper half", () => {
    const low = exponentialBackoff({ baseMs: 100, maxMs: 1_000, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 100, maxMs: 1_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map((a) => low(a, null))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((a) => high(a, null))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  test("the default starts near a second and never exceeds an hour", () => {
    expect(defaultBackoff(1, null)).toBeGreaterThanOrEqual(500);
    expect(defaultBackoff(1, null)).toBeLessThanOrEqual(1_000);
    expect(defaultBackoff(40, null)).toBeLessThanOrEqual(3_600_000);
  });
});
