// @opentelemetry/api is loaded only when tracing is on: importing errand and running jobs do not need
// it, and with tracing on a missing API is a TracingUnavailableError, not a crash at import.
import { expect, test } from "bun:test";
import { join } from "node:path";

test("without @opentelemetry/api: jobs run with tracing off; with it on, enqueue and start say what is missing", () => {
  const child = Bun.spawnSync([process.execPath, join(import.meta.dir, "fixtures/without-opentelemetry.ts")], {
    stderr: "pipe",
    timeout: 20_000,
  });
  expect(child.stderr.toString()).toBe("");
  expect(child.stdout.toString().trim().split("\n")).toEqual([
    "off: ran ada",
    "on: enqueue TracingUnavailableError",
    "on: start TracingUnavailableError",
  ]);
  expect(child.exitCode).toBe(0);
});
