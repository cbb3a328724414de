import { Logger, makeWorkerUtils, run, type Runner } from "graphile-worker";
import { dropSchema } from "./jobs-pgboss.ts";
import { POSTGRES_URL, range, uniqueName, type JobsBenchSystem } from "./jobs-system.ts";

interface Payload {
  i: number;
}

const silent = new Logger(() => () => {});

/**
 * graphile-worker 0.18 in a schema of its own. "best": 16 concurrent jobs fed by a local queue of
 * 500 locked jobs (its documented high-throughput mode). "default": concurrency 1, no local queue.
 */
export function graphileSystem(variant: "best" | "default"): JobsBenchSystem {
  const best = variant === "best";
  return {
    id: `graphile-worker:${variant}`,
    label: `graphile-worker 0.18 (PostgreSQL) ${best ? "16 jobs + localQueue 500" : "defaults"}`,
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
            concurrency: best ? 16 : 1,
            ...(best ? { preset: { worker: { localQueue: { size: 500 }, maxPoolSize: 20 } } } : {}),
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
