import { Logger, makeWorkerUtils, type Runner, run } from "graphile-worker";
import { dropSchema } from "./jobs-pgboss.ts";
import { type JobsBenchSystem, POSTGRES_URL, range, uniqueName } from "./jobs-system.ts";

interface Payload {
  i: number;
}

const silent = new Logger(() => () => {});
const highThroughput = { localQueue: { size: 500 }, maxPoolSize: 20, completeJobBatchDelay: 0, failJobBatchDelay: 0 };

/**
 * graphile-worker 0.18 in a schema of its own. "best": 32 concurrent jobs fed by a local queue of
 * 500 locked jobs, completions and failures batched (its documented high-throughput settings; the
 * best of those tried here). "default": concurrency 1, no local queue, no batching.
 */
export function graphileSystem(variant: "best" | "default"): JobsBenchSystem {
  const best = variant === "best";
  return {
    id: `graphile-worker:${variant}`,
    label: `graphile-worker 0.18 (PostgreSQL) ${best ? "32 jobs, localQueue 500, batched completion" : "defaults"}`,
    durability: "PostgreSQL commit (fsync)",
    async open() {
      const schema = uniqueName("bench_graphile");
      const utils = await makeWorkerUtils({ connectionString: POSTGRES_URL, schema, logger: silent });
      await utils.migrate();
      let runner: Runner | undefined;
      return {
        async enqueue(i) {
          await utils.addJob("noop", { i });
        },
        async enqueueBulk(from, count) {
          await utils.addJobs(range(from, count).map((i) => ({ identifier: "noop", payload: { i } })));
        },
        async startWorker(onJob) {
          runner = await run({
            connectionString: POSTGRES_URL,
            schema,
            logger: silent,
            noHandleSignals: true,
            concurrency: best ? 32 : 1,
            ...(best ? { preset: { worker: highThroughput } } : {}),
            taskList: {
              noop: async (payload) => onJob((payload as Payload).i),
            },
          });
        },
        async close() {
          await runner?.stop();
          await utils.release();
          await dropSchema(schema);
        },
      };
    },
  };
}
