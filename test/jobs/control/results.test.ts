import { afterEach, expect, test } from "bun:test";
import { t } from "elysia";
import { defineJob, JobResultError, type ResultOf } from "../../../src/jobs/index.ts";
import { describeOnEachStore, startJobs } from "../helpers.ts";

let running: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(...args: Parameters<typeof startJobs>) {
  running = await startJobs(...args);
  return running as Awaited<ReturnType<typeof startJobs>>;
}

const report = defineJob({
  name: "report",
  payload: t.Object({ rows: t.Integer() }),
  handler: async ({ rows }) => ({ rows, url: `https://files.example/${rows}.csv` }),
});
const nothing = defineJob({ name: "nothing", payload: t.Null(), handler: () => {} });

describeOnEachStore("job results", () => {
  test("the handler's return value is stored as the job's result, typed by the definition", async () => {
    const { jobs } = await start([report, nothing]);
    const id = await jobs.enqueue(report, { rows: 3 });
    const done = await jobs.waitFor<ResultOf<typeof report>>(id, { timeoutMs: 5_000 });
    expect(done.state).toBe("succeeded");
    // Typed: a wrong property would not compile.
    const url: string | undefined = done.result?.url;
    expect(url).toBe("https://files.example/3.csv");
    expect(done.result).toEqual({ rows: 3, url: "https://files.example/3.csv" });
    const none = await jobs.waitFor(await jobs.enqueue(nothing, null), { timeoutMs: 5_000 });
    expect(none.state).toBe("succeeded");
    expect("result" in none).toBe(false);
  });

  test("a result over maxResultBytes, or not JSON, makes the job dead with JobResultError", async () => {
    const big = defineJob({ name: "big", payload: t.Null(), handler: () => "x".repeat(200), attempts: 5 });
    const bigint = defineJob({ name: "bigint", payload: t.Null(), handler: () => 1n, attempts: 5 });
    const { jobs } = await start([big, bigint], { maxResultBytes: 100 });
    for (const def of [big, bigint]) {
      const done = await jobs.waitFor(await jobs.enqueue(def, null), { timeoutMs: 5_000 });
      expect(done.state).toBe("dead");
      expect(done.attempts).toBe(1);
      expect(done.errors[0]!.name).toBe(new JobResultError("x", "y").name);
      expect(done.result).toBeUndefined();
    }
    const error = (await jobs.get((await jobs.list({ name: "big" })).jobs[0]!.id))!.errors[0]!;
    expect(error.message).toContain("over the limit of 100");
    expect(error.message).toContain("maxResultBytes");
  });
});
