import { join } from "node:path";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { t } from "elysia";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, defineJob, type JobStore, type Jobs, type JobsOptions } from "../../src/jobs/index.ts";
import { errandMetrics } from "../../src/metrics/index.ts";
import { postgresStore } from "../../src/stores/postgres/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";
import { dropSchema } from "./jobs-pgboss.ts";
import { type JobsBenchSystem, POSTGRES_URL, range, uniqueName } from "./jobs-system.ts";

export interface StoreHandle {
  store: JobStore<unknown>;
  cleanup(): Promise<void>;
}

/**
 * How the Jobs service is tuned; `{}` is Errand's defaults, what the targets are about. `tracing` and
 * `observe` (metrics listening to its events) show what instrumentation costs.
 */
type Tuning = {
  executors?: number;
  channelCapacity?: number;
  tracing?: JobsOptions<unknown>["tracing"];
  observe?: (jobs: Jobs<unknown>) => () => void;
};

function errandSystem(
  id: string,
  label: string,
  durability: string,
  openStore: () => StoreHandle,
  tuning: Tuning = {},
): JobsBenchSystem {
  return {
    id,
    label,
    durability,
    async open() {
      const { store, cleanup } = openStore();
      let onJob: (i: number) => void = () => {};
      const noop = defineJob({
        name: "bench.noop",
        payload: t.Object({ i: t.Number() }),
        handler: (payload) => onJob(payload.i),
      });
      const { observe, ...options } = tuning;
      const jobs: Jobs<unknown> = createJobs({ store, jobs: [noop], logger: silentLogger, ...options });
      const unobserve = observe?.(jobs);
      await store.init();
      let started = false;
      return {
        async enqueue(i) {
          await jobs.enqueue(noop, { i });
        },
        async enqueueBulk(from, count) {
          await jobs.enqueueMany(
            noop,
            range(from, count).map((i) => ({ payload: { i } })),
          );
        },
        async startWorker(handler) {
          onJob = handler;
          started = true;
          await jobs.start(new AbortController().signal);
        },
        async close() {
          if (started) await jobs.stop(AbortSignal.timeout(5_000));
          unobserve?.();
          await cleanup();
        },
      };
    },
  };
}

export function pgStore(): StoreHandle {
  const schema = uniqueName("bench_errand");
  const store = postgresStore({ url: POSTGRES_URL, schema });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

const pgDurability = "enqueue: fsync commit; claim/complete: async commit";
/** A larger claim window: shows how much of the end-to-end figure is round trips per window. */
const bigWindow: Tuning = { executors: 20, channelCapacity: 1000 };

export function sqliteFile(dir: string): () => StoreHandle {
  return () => {
    const store = sqliteStore({ path: join(dir, `${uniqueName("errand")}.db`) });
    return { store, cleanup: () => store.close() };
  };
}

export function errandSystems(dir: string): JobsBenchSystem[] {
  return [
    errandSystem(
      "errand:sqlite",
      "Errand (SQLite, defaults)",
      "SQLite WAL, synchronous=NORMAL (process crash)",
      sqliteFile(dir),
    ),
    errandSystem(
      "errand:sqlite+metrics",
      "Errand (SQLite) with errand/metrics listening",
      "SQLite WAL, synchronous=NORMAL (process crash)",
      sqliteFile(dir),
      { observe: (jobs) => closing(errandMetrics({ jobs })) },
    ),
    errandSystem(
      "errand:sqlite+tracing",
      "Errand (SQLite) with tracing, SDK recording every span",
      "SQLite WAL, synchronous=NORMAL (process crash)",
      sqliteFile(dir),
      { tracing: { tracerProvider: recordingProvider() } },
    ),
    errandSystem("errand:postgres", "Errand (PostgreSQL, defaults)", pgDurability, pgStore),
    errandSystem(
      "errand:postgres-window",
      "Errand (PostgreSQL) 20 executors, channel 1000",
      pgDurability,
      pgStore,
      bigWindow,
    ),
  ];
}

function closing(metrics: { close(): void }): () => void {
  return () => metrics.close();
}

/** An SDK provider that builds and ends every span and exports them nowhere: the cost of recording. */
function recordingProvider(): BasicTracerProvider {
  const discard = {
    export: (_spans: unknown[], done: (r: { code: 0 }) => void) => done({ code: 0 }),
    shutdown: async () => {},
  };
  return new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(discard)] });
}
