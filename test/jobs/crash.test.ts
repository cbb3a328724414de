// Nothing is lost when the worker dies: 5,000 jobs, the worker killed with SIGKILL at random moments
// five times and restarted each time; every job succeeds, and a job runs twice only if it was inside
// the at-least-once window at a kill: running, or ended with its outcome not yet written. The runner
// keeps that window at most executors + maxUnwrittenOutcomes - 1 jobs (runner.ts, #roomToRun), which
// this test checks at each kill and in total.
import "../support/postgres.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs } from "../../src/jobs/index.ts";
import { waitForOutput } from "../support/process.ts";
import { backends, countIn } from "./backends.ts";
import { workJob } from "./fixtures/work.ts";
import { type Child, spawnWorker } from "./process-helpers.ts";

const total = 5_000;
const kills = 5;
const executors = 8;
const maxUnwrittenOutcomes = 8;
/** The most jobs one kill can make run twice. */
const window = executors + maxUnwrittenOutcomes - 1;
const children = new Set<Child>();

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all([...children].map((c) => c.exited));
});

function worker(args: string[]): Child {
  const child = spawnWorker(args, {
    MODE: "crash",
    EXECUTORS: String(executors),
    MAX_UNWRITTEN_OUTCOMES: String(maxUnwrittenOutcomes),
    LEASE_MS: "1000",
  });
  children.add(child);
  return child;
}

describe("crash recovery", () => {
  for (const [name, makeBackend] of backends) {
    test(`${name}: SIGKILL x${kills} during ${total} jobs: none lost, duplicates within the window per kill`, async () => {
      const backend = await makeBackend();
      try {
        const work = workJob();
        const producer = createJobs({ store: backend.store, jobs: [work], logger: silentLogger });
        await producer.enqueueMany(
          work,
          Array.from({ length: total }, (_, n) => ({ payload: { n } })),
        );

        const atRisk: number[] = [];
        const seen = new Set<string>();
        for (let kill = 0; kill < kills; kill++) {
          const child = worker(backend.workerArgs);
          await waitForOutput(child, (lines) => lines.includes("ready"));
          await Bun.sleep(100 + Math.random() * 300);
          child.kill("SIGKILL");
          await child.exited;
          // The jobs the killed worker had done without their outcome written: the next one runs them again.
          const byWorker = await backend.doneButRunning();
          atRisk.push(Object.entries(byWorker).find(([worker]) => !seen.has(worker))?.[1] ?? 0);
          for (const worker of Object.keys(byWorker)) seen.add(worker);
        }
        // The kills landed while work remained: otherwise this test would prove nothing.
        expect(await countIn(backend.store, "succeeded")).toBeLessThan(total);

        const last = worker(backend.workerArgs);
        await waitForOutput(last, (lines) => lines.includes("ready"));
        const deadline = Date.now() + 90_000;
        while ((await countIn(backend.store, "succeeded")) < total) {
          if (Date.now() > deadline) throw new Error("the restarted worker did not finish the jobs in time");
          await Bun.sleep(50);
        }
        last.kill("SIGTERM");
        expect(await last.exited).toBe(0);

        expect(await backend.store.counts()).toEqual([{ name: work.name, state: "succeeded", count: total }]);
        const effects = await backend.effects();
        expect(effects.distinct).toBe(total);
        for (const n of atRisk) expect(n).toBeLessThanOrEqual(window);
        expect(effects.total - total).toBeLessThanOrEqual(kills * window);
        console.log(`${name}: duplicates ${effects.total - total}, at risk per kill ${atRisk.join(" ")}`);
      } finally {
        await backend.cleanup();
      }
    }, 120_000);
  }
});
