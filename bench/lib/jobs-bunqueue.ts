import { Queue, shutdownManager, Worker } from "bunqueue/client";
import { type JobsBenchSystem, range, uniqueName } from "./jobs-system.ts";

interface Payload {
  i: number;
}

/**
 * bunqueue embedded on SQLite. Its embedded manager is process-wide and bound to one data path, so
 * every session shares `dataPath` with a queue of its own; call `closeBunqueue` once at the end.
 * "buffered" is its default (writes flushed every 10 ms); "durable" passes `durable: true` per job.
 */
export function bunqueueSystem(variant: "buffered" | "durable", dataPath: string): JobsBenchSystem {
  const durable = variant === "durable";
  return {
    id: `bunqueue:${variant}`,
    label: `bunqueue 2.9.5 (embedded SQLite) ${durable ? "durable: true" : "default (buffered)"}`,
    durability: durable
      ? "SQLite WAL, synchronous=NORMAL (process crash)"
      : "SQLite, 10 ms write buffer (may lose the last 10 ms)",
    async open() {
      const name = uniqueName("bench");
      const queue = new Queue<Payload>(name, {
        embedded: true,
        dataPath,
        defaultJobOptions: { durable, removeOnComplete: true },
      });
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
            embedded: true,
            dataPath,
            concurrency: 100,
            batchSize: 100,
          });
        },
        async close() {
          await worker?.close(true);
          queue.obliterate();
          queue.close();
        },
      };
    },
  };
}

export function closeBunqueue(): void {
  shutdownManager();
}
