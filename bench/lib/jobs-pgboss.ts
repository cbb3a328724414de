import pg from "pg";
import { PgBoss } from "pg-boss";
import { type JobsBenchSystem, POSTGRES_URL, range, uniqueName } from "./jobs-system.ts";

interface Payload {
  i: number;
}

/**
 * pg-boss 12 in a schema of its own. "best": LISTEN/NOTIFY on, batch fetch of 500 with burst while
 * batches come back full, two local workers (the best of batch 100/500 × 2/4 workers tried here).
 * "default": `work(name, handler)` as documented.
 */
export function pgBossSystem(variant: "best" | "default"): JobsBenchSystem {
  const best = variant === "best";
  return {
    id: `pg-boss:${variant}`,
    label: `pg-boss 12.38 (PostgreSQL) ${best ? "notify, batch 500 × 2 workers" : "defaults"}`,
    durability: "PostgreSQL commit (fsync)",
    async open() {
      const schema = uniqueName("bench_pgboss");
      const boss = new PgBoss({
        connectionString: POSTGRES_URL,
        schema,
        useListenNotify: best,
        supervise: false,
        schedule: false,
      });
      boss.on("error", (error: unknown) => console.error("pg-boss:", error));
      await boss.start();
      const queue = "noop";
      await boss.createQueue(queue, { notify: best });
      return {
        async enqueue(i) {
          await boss.send(queue, { i });
        },
        async enqueueBulk(from, count) {
          await boss.insert(
            queue,
            range(from, count).map((i) => ({ data: { i } })),
          );
        },
        async startWorker(onJob) {
          if (best) {
            const options = {
              batchSize: 500,
              burstWhenBatchFull: true,
              localConcurrency: 2,
              pollingIntervalSeconds: 0.5,
            };
            await boss.work<Payload>(queue, options, async (jobs) => {
              for (const job of jobs) onJob(job.data.i);
            });
          } else {
            await boss.work<Payload>(queue, async ([job]) => {
              if (job) onJob(job.data.i);
            });
          }
        },
        async close() {
          await boss.stop({ graceful: false, close: true, timeout: 1000 });
          await dropSchema(schema);
        },
      };
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
