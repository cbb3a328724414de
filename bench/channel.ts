// The channel benchmark: one producer/consumer workload (1e6 numbers) per library, side by side in one
// process, items/s as the median of 5 runs after warm-up runs (see below), with ratios to a synchronous ring buffer
// and to the bare for-await floor measured in the same run.
//   bun bench/channel.ts                  (add --quick for 1e5 items and 3 runs; --only=batch, --only=await500
//                                          or --only=await1 runs one section)
//   bun build bench/channel.ts --target=node --outfile=/tmp/channel-bench.mjs && node /tmp/channel-bench.mjs

import type { Workload } from "./lib/channel-contenders.ts";
import * as contenders from "./lib/channel-contenders.ts";
import { median, printTable } from "./lib/table.ts";

const argv = globalThis.process?.argv ?? [];
const quick = argv.includes("--quick");
const only = argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const n = quick ? 100_000 : 1_000_000;
const runs = quick ? 3 : 5;
// JSC tiers code up over the first runs, and a loop inside an async function only reaches its top tier
// after several calls (measured here: 4-5 runs of 1e6 for the drain loops). So every contender is
// warmed up alike: at least two discarded runs, continuing while less than a second was spent warming,
// at most ten. Slow contenders stop after two; fast ones get the extra runs they need.
const minWarmups = 2;
const maxWarmups = 10;
const warmupMs = quick ? 300 : 1000;
const expectedSum = (n * (n - 1)) / 2;

async function timedRun(workload: Workload, capacity: number): Promise<number> {
  const started = performance.now();
  const sum = await workload(n, capacity);
  const elapsed = performance.now() - started;
  if (sum !== expectedSum)
    throw new Error(`${workload.name} summed ${sum}, expected ${expectedSum}: it lost or duplicated items`);
  return elapsed;
}

async function itemsPerSecond(workload: Workload, capacity: number): Promise<number> {
  let warmed = 0;
  for (let spent = 0; warmed < minWarmups || (spent < warmupMs && warmed < maxWarmups); warmed++) {
    spent += await timedRun(workload, capacity);
  }
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push((n / (await timedRun(workload, capacity))) * 1000);
  return median(samples);
}

type Row = readonly [label: string, workload: Workload];

async function section(title: string, capacity: number, rows: readonly Row[]): Promise<void> {
  const ring = await itemsPerSecond(contenders.syncRing, capacity);
  const floor = await itemsPerSecond(contenders.forAwaitFloor, capacity);
  const measured: (string | number)[][] = [];
  for (const [label, workload] of rows) {
    const rate = await itemsPerSecond(workload, capacity);
    // Progress on stderr: a full run takes minutes on a busy machine, and stdout stays a clean table.
    console.error(`  ${label} @ capacity ${capacity}: ${millions(rate)} M items/s`);
    measured.push([label, millions(rate), ratio(rate / ring), ratio(rate / floor)]);
  }
  measured.sort((a, b) => Number(b[1]) - Number(a[1]));
  console.log(`\n### ${title} (capacity ${capacity})\n`);
  printTable(
    ["contender", "M items/s", "÷ sync ring", "÷ for-await floor"],
    [
      ["sync ring buffer (ceiling)", millions(ring), "1", ratio(ring / floor)],
      ["bare for await (floor)", millions(floor), ratio(floor / ring), "1"],
      ...measured,
    ],
  );
}

function millions(rate: number): string {
  return (rate / 1e6).toFixed(2);
}

function ratio(value: number): string {
  return value >= 0.1 ? value.toFixed(2) : value.toFixed(4);
}

const awaitWrite: readonly Row[] = [
  ["errand: await write + for await", contenders.errandAwaitWrite],
  ["errand: tryWrite idiom + for await", contenders.errandTryWriteIdiom],
  ["queueable", contenders.queueable],
  ["it-pushable", contenders.itPushable],
  ["@repeaterjs/repeater", contenders.repeater],
  ["async-channel", contenders.asyncChannel],
  ["effect Queue.bounded", contenders.effectQueue],
  ["p-queue (concurrency 1)", contenders.pQueue],
  ["Web Streams (highWaterMark)", contenders.webStream],
];

const batch: readonly Row[] = [
  ["errand: readBatch(capacity)", contenders.errandReadBatch],
  ["errand: waitToRead + tryRead drain", contenders.errandDrainLoop],
  ["effect Queue.takeAll", contenders.effectTakeAll],
];

const runtime =
  typeof globalThis.Bun === "object" ? `Bun ${globalThis.Bun.version}` : `Node ${globalThis.process?.version}`;
console.log(
  `# Channel benchmark: ${n.toLocaleString("en")} numbers, median of ${runs}, ${runtime}, in memory (no durability)`,
);
if (only === undefined || only === "await500") await section("await write + for await read", 500, awaitWrite);
if (only === undefined || only === "batch") await section("batch read", 500, batch);
if (only === undefined || only === "await1") await section("await write + for await read", 1, awaitWrite);
