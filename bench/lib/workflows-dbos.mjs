// DBOS Transact 5.x under Node (it does not run under Bun): a 10-step no-op workflow, N of them, on the
// given PostgreSQL database. Run by bench/workflows.ts as
//   node bench/lib/workflows-dbos.mjs <postgres url> <n> <direct|queue>
// and prints one JSON line: { ms, n }. "direct": DBOS.startWorkflow in this process (DBOS's own
// fastest path: no queue); "queue": through a WorkflowQueue (enqueued, then dequeued by this
// process, as Errand's jobs are). DBOS's defaults otherwise: each step's output is written with a
// synchronous (fsync) commit before the next step starts.
import dbos from "@dbos-inc/dbos-sdk";

const { DBOS } = dbos;

const [url, nText, mode] = process.argv.slice(2);
const n = Number(nText);
const steps = 10;

async function noopWorkflow(i) {
  for (let s = 0; s < steps; s++) await DBOS.runStep(async () => i + s, { name: `step-${s}` });
  return i;
}
const workflow = DBOS.registerWorkflow(noopWorkflow, { name: "noop10" });

DBOS.setConfig({ name: `bench-${process.pid}`, systemDatabaseUrl: url, logLevel: "error" });
await DBOS.launch();
const queue =
  mode === "queue"
    ? await DBOS.registerQueue(`bench-${process.pid}`, { workerConcurrency: 50, minPollingIntervalMs: 10 })
    : undefined;
// Warm-up: connections, prepared paths.
await (await DBOS.startWorkflow(workflow)(-1)).getResult();
const started = performance.now();
const handles = [];
for (let i = 0; i < n; i++) handles.push(await DBOS.startWorkflow(workflow, queue ? { queueName: queue.name } : {})(i));
await Promise.all(handles.map((h) => h.getResult()));
const ms = performance.now() - started;
await DBOS.shutdown();
console.log(JSON.stringify({ ms, n }));
