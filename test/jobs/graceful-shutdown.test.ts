// SIGTERM on a worker process: running handlers finish and the process exits 0; a handler that
// ignores its signal is abandoned at the shutdown deadline and its job is ready again at once.
import "../support/postgres.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs } from "../../src/jobs/index.ts";
import { waitForOutput } from "../support/process.ts";
import { backends, countIn } from "./backends.ts";
import { workJob } from "./fixtures/work.ts";
import { type Child, spawnWorker } from "./process-helpers.ts";

const children = new Set<Child>();
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all([...children].map((c) => c.exited));
});

function worker(args: string[], env: Record<string, string>): Child {
  const child = spawnWorker(args, env);
  children.add(child);
  return child;
}

const started = (lines: string[]) => lines.filter((line) => line.startsWith("started ")).length;

describe("graceful shutdown", () => {
  for (const [name, makeBackend] of backends) {
    test(`${name}: SIGTERM with 20 running 200 ms handlers: all finish, exit 0`, async () => {
      const backend = await makeBackend();
      try {
        const work = workJob();
        const producer = createJobs({ store: backend.store, jobs: [work], logger: silentLogger });
        await producer.enqueueMany(
          work,
          Array.from({ length: 20 }, (_, n) => ({ payload: { n } })),
        );
        const child = worker(backend.workerArgs, { MODE: "slow", EXECUTORS: "20", SHUTDOWN_MS: "5000" });
        await waitForOutput(child, (lines) => started(lines) === 20);
        child.kill("SIGTERM");
        expect(await child.exited).toBe(0);
        expect(await countIn(backend.store, "succeeded")).toBe(20);
        expect(await backend.effects()).toEqual({ total: 20, distinct: 20 });
      } finally {
        await backend.cleanup();
      }
    }, 30_000);

    test(`${name}: a handler ignoring its signal: exit at the deadline, job ready again without a lease wait`, async () => {
      const backend = await makeBackend();
      try {
        const work = workJob();
        const producer = createJobs({ store: backend.store, jobs: [work], logger: silentLogger });
        const id = await producer.enqueue(work, { n: 1 });
        // The lease (30 s) is far longer than the test: a ready job proves the release, not an expiry.
        const child = worker(backend.workerArgs, { MODE: "stuck", SHUTDOWN_MS: "1000", LEASE_MS: "30000" });
        await waitForOutput(child, (lines) => started(lines) === 1);
        expect((await backend.store.get(id))!.state).toBe("running");
        child.kill("SIGTERM");
        expect(await child.exited).toBe(0);
        expect(await backend.store.get(id)).toMatchObject({
          state: "ready",
          lockedBy: null,
          leaseExpiresAt: null,
          attempts: 0,
          errors: [],
        });
      } finally {
        await backend.cleanup();
      }
    }, 30_000);
  }
});
