/**
 * What a rate-limited job name at its limit costs while it waits: process CPU time over a span of
 * waiting, beside an idle service with nothing queued, on SQLite and PostgreSQL (default poll interval).
 * The limited name has 1,000 ready jobs and a window that the first start fills for longer than the
 * measurement, so the dispatcher can only sleep; a busy loop would show as a large CPU share.
 *
 *   bun bench/rate-limit-idle.ts [--seconds 5]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { t } from "elysia";
import { silentLogger } from "../src/hosting/index.ts";
import { createJobs, defineJob } from "../src/jobs/index.ts";
import { pgStore, type StoreHandle, sqliteFile } from "./lib/jobs-errand.ts";
import { markdownTable } from "./lib/jobs-table.ts";

const at = process.argv.indexOf("--seconds");
const seconds = at === -1 ? 5 : Number(process.argv[at + 1]);

async function measure(open: () => StoreHandle, limited: boolean): Promise<{ cpuMs: number; started: number }> {
  const { store, cleanup } = open();
  let started = 0;
  const job = defineJob({
    name: "bench.limited",
    payload: t.Object({ n: t.Integer() }),
    handler: () => void started++,
    ...(limited ? { rateLimit: { max: 1, perMs: 10 * 60_000 } } : {}),
  });
  const jobs = createJobs({ store, jobs: [job], logger: silentLogger });
  await jobs.start(new AbortController().signal);
  if (limited)
    for (let i = 0; i < 1000; i += 100)
      await jobs.enqueueMany(
        job,
        Array.from({ length: 100 }, (_, k) => ({ payload: { n: i + k } })),
      );
  await Bun.sleep(500); // the first start fills the window; the rest wait as ready
  const before = process.cpuUsage();
  await Bun.sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  await jobs.stop(AbortSignal.timeout(5_000));
  await cleanup();
  return { cpuMs: (used.user + used.system) / 1000, started };
}

const dir = mkdtempSync(`${tmpdir()}/errand-rate-idle-`);
const rows: string[][] = [];
for (const [label, open] of [
  ["SQLite", sqliteFile(dir)],
  ["PostgreSQL", pgStore],
] as const) {
  const idle = await measure(open, false);
  const waiting = await measure(open, true);
  const share = (ms: number) => `${ms.toFixed(0)} ms (${((ms / (seconds * 1000)) * 100).toFixed(2)}%)`;
  rows.push([label, share(idle.cpuMs), share(waiting.cpuMs), String(waiting.started)]);
}
rmSync(dir, { recursive: true, force: true });
console.log(
  markdownTable(
    ["store", `CPU over ${seconds} s, idle service`, `CPU over ${seconds} s, 999 jobs waiting on the limit`, "started"],
    rows,
  ),
);
