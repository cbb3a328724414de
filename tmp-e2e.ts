import { Type } from "@sinclair/typebox";
import { silentLogger } from "./src/hosting/index.ts";
import { createJobs, defineJob, type JobStore } from "./src/jobs/index.ts";
import { sqliteStore } from "./src/stores/sqlite/index.ts";
import { postgresStore } from "./src/stores/postgres/index.ts";
import { testClient, testSchema, dropSchema } from "./test/stores/postgres/pg-test-db.ts";
const kind = process.argv[2]!;
const N = Number(process.argv[3] ?? 20000);
const sleepMs = Number(process.argv[4] ?? 0);
let store: JobStore<unknown>; let cleanup = async () => {};
if (kind === "sqlite") { store = sqliteStore({ path: `/tmp/e2e-${Date.now()}.db` }) as JobStore<unknown>; }
else { const admin = testClient(10); const schema = testSchema("e2e"); store = postgresStore({ sql: admin, schema }) as JobStore<unknown>; cleanup = async () => { await dropSchema(admin, schema); await admin.end(); }; }
let done = 0; let resolve!: () => void; const all = new Promise<void>((r) => (resolve = r));
const job = defineJob({ name: "noop", payload: Type.Object({ n: Type.Integer() }), handler: async () => { if (sleepMs) await Bun.sleep(sleepMs); if (++done === N) resolve(); } });
const jobs = createJobs({ store, jobs: [job], logger: silentLogger, executors: Number(process.env.EX ?? 10), ...(process.env.CAP ? { channelCapacity: Number(process.env.CAP) } : {}) });
await store.init();
let t = performance.now();
const SINGLE = Number(process.env.SINGLE ?? 2000); for (let i = 0; i < SINGLE; i++) await jobs.enqueue(job, { n: i });
console.log("single enqueue/s", Math.round(SINGLE / ((performance.now() - t) / 1000)));
t = performance.now();
for (let b = 0; b < N - SINGLE; b += 1000) await jobs.enqueueMany(job, Array.from({ length: Math.min(1000, N - SINGLE - b) }, (_, n) => ({ payload: { n } })));
console.log("batch enqueue/s", Math.round((N - SINGLE) / ((performance.now() - t) / 1000)));
t = performance.now();
await jobs.start(new AbortController().signal);
await all;
console.log("e2e jobs/s", Math.round(N / ((performance.now() - t) / 1000)));
await jobs.stop(AbortSignal.timeout(5000));
// latency
const lat: number[] = [];
const lj = defineJob({ name: "lat", payload: Type.Null(), handler: (_, ctx) => void lat.push(performance.now() - Number(0)) });
void lj;
await store.close(); await cleanup();
