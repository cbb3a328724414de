import { Queue, Worker } from "bullmq";
import { type JobsBenchSystem, REDIS, range, uniqueName } from "./jobs-system.ts";

interface Payload {
  i: number;
}

/** BullMQ on the local Redis; `concurrency` is the worker's parallel job count (BullMQ default 1). */
export function bullmqSystem(variant: "best" | "default"): JobsBenchSystem {
  const concurrency = variant === "best" ? 100 : 1;
  return {
    id: `bullmq:${variant}`,
    label: `BullMQ 6.7 (Redis) ${variant === "best" ? "concurrency 100" : "defaults"}`,
    durability: "Redis, no persistence configured here",
    async open() {
      const name = uniqueName("bench");
      const queue = new Queue<Payload>(name, { connection: REDIS });
      let worker: Worker<Payload> | undefined;
      return {
        async enqueue(i) {
          await queue.add("noop", { i });
        },
        async enqueueBulk(from, count) {
          await queue.addBulk(range(from, count).map((i) => ({ name: "noop", data: { i } })));
        },
        async startWorker(onJob) {
          worker = new Worker<Payload>(name, async (job) => onJob(job.data.i), {
            connection: { ...REDIS, maxRetriesPerRequest: null },
            concurrency,
            removeOnComplete: { count: 1000 },
          });
          await worker.waitUntilReady();
        },
        async close() {
          await worker?.close(true);
          await queue.obliterate({ force: true });
          await queue.close();
        },
      };
    },
  };
}
