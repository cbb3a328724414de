import { Type } from "@sinclair/typebox";
import { silentLogger } from "./src/hosting/index.ts";
import { createJobs, defineJob } from "./src/jobs/index.ts";
import { sqliteStore } from "./src/stores/sqlite/index.ts";
const store = sqliteStore({ path: `/tmp/lat-${Date.now()}.db` });
let mark = 0; let resolve!: (v: number) => void;
const job = defineJob({ name: "lat", payload: Type.Null(), handler: () => resolve(performance.now() - mark) });
const jobs = createJobs({ store, jobs: [job], logger: silentLogger });
await jobs.start(new AbortController().signal);
const lat: number[] = [];
for (let i = 0; i < 300; i++) {
  await Bun.sleep(2);
  const p = new Promise<number>((r) => (resolve = r));
  mark = performance.now();
  await jobs.enqueue(job, null);
  lat.push(await p);
}
lat.sort((a, b) => a - b);
console.log("p50", lat[150]!.toFixed(3), "p99", lat[297]!.toFixed(3));
await jobs.stop(AbortSignal.timeout(1000));
