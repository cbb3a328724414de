// HTTP throughput of the reference app on loopback, with autocannon:
//   1. POST /api/users/register with the confirmation mail enqueued in the user's transaction (durable),
//      the jobs service delivering the mails (rendering React Email) on the same 2 cores meanwhile;
//   2. the same, with the jobs service not started: the cost of the enqueue alone, mails stay queued;
//   3. the same route with the enqueue removed (same app, same database, no job row);
//   4. GET /health/live, the app's ceiling on this machine (its whole plugin stack: logging, metrics,
//      security headers, rate limiting);
//   5. GET /health/live on a bare Elysia app with only that route: the framework's own ceiling.
// Each scenario runs against a fresh server child process (`bun bench/http.ts --serve <scenario>`) so
// the load generator does not share the server's CPU time; medians of RUNS runs.
//   bun bench/http.ts [--runs 3] [--seconds 5] [--connections 16]
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Elysia } from "elysia";
import { loadConfig } from "../src/app/config.ts";
import { createApp } from "../src/app/create-app.ts";
import { openSqliteAppDb, SqliteAppRepository } from "../src/app/db/sqlite/repository.ts";
import { createLogger } from "../src/app/logger.ts";
import { openRuntime } from "../src/app/runtime/index.ts";
import { memoryTransport } from "../src/mail/index.ts";
import { median, printTable } from "./lib/table.ts";

type Scenario = "register-durable" | "register-enqueue-only" | "register-no-enqueue" | "health-live" | "bare-live";
const SCENARIOS: Scenario[] = [
  "register-durable",
  "register-enqueue-only",
  "register-no-enqueue",
  "health-live",
  "bare-live",
];

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/**
 * The server side: the real app. "register-enqueue-only" runs no hosted services (jobs are stored, not
 * run); "register-no-enqueue" swaps in a repository whose outbox does nothing.
 */
async function serve(scenario: Scenario, databasePath: string): Promise<void> {
  if (scenario === "bare-live") {
    const bare = new Elysia().get("/health/live", () => ({ status: "ok" as const }));
    bare.listen({ port: 0, hostname: "127.0.0.1" });
    console.log(`PORT ${bare.server!.port}`);
    return;
  }
  const config = loadConfig({
    DATABASE_URL: databasePath,
    NODE_ENV: "production",
    AUTH_SECRET: "iXLd9sGC1Z/y/jHCPnlAR+ROl8CPV2f0ovxu2P7zdZU=",
    PUBLIC_URL: "http://127.0.0.1",
    // The bench passes its own transport; production only wants the choice made explicitly.
    MAIL_TRANSPORT: "preview",
    RATE_LIMIT_MAX: "1000000",
    LOG_LEVEL: "warn",
  });
  const logger = createLogger("warn");
  const runtime = await openRuntime({ config, logger, transport: memoryTransport() });
  const withoutEnqueue = () => ({
    ...runtime,
    repository: new SqliteAppRepository(openSqliteAppDb(new Database(databasePath)), () => {}),
  });
  const variants: Record<Exclude<Scenario, "bare-live">, () => typeof runtime> = {
    "register-durable": () => runtime,
    "register-enqueue-only": () => ({ ...runtime, services: [] }),
    "register-no-enqueue": withoutEnqueue,
    "health-live": () => runtime,
  };
  const app = createApp(config, { logger, runtime: variants[scenario as Exclude<Scenario, "bare-live">]() });
  await app.decorator.host.start();
  app.listen({ port: 0, hostname: "127.0.0.1" });
  console.log(`PORT ${app.server!.port}`);
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(scenario: Scenario, seconds: number, connections: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "errand-bench-http-"));
  const server = Bun.spawn(["bun", import.meta.path, "--serve", scenario, join(dir, "bench.sqlite")], {
    stdout: "pipe",
    stderr: "inherit",
  });
  try {
    const port = await readPort(server.stdout);
    let counter = 0;
    const register = scenario.startsWith("register");
    // Each registration needs its own email; a per-request body only works through `requests`.
    const uniqueUser = (request: autocannon.Request) => ({
      ...request,
      body: JSON.stringify({
        email: `user${++counter}@example.com`,
        password: "a long enough password",
        displayName: "Bench",
      }),
    });
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      duration: seconds,
      requests: [
        register
          ? {
              method: "POST",
              path: "/api/users/register",
              headers: { "content-type": "application/json" },
              setupRequest: uniqueUser,
            }
          : { method: "GET", path: "/health/live" },
      ],
    });
    const errors = result.errors + result.non2xx + result.timeouts;
    if (result["2xx"] === 0) throw new Error(`${scenario}: no successful responses`);
    // Total over the duration: at a few requests per second, autocannon's per-second average is coarse.
    return { rps: result["2xx"] / seconds, p50: result.latency.p50, p99: result.latency.p99, errors };
  } finally {
    server.kill("SIGKILL");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readPort(stream: ReadableStream<Uint8Array>): Promise<number> {
  let text = "";
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    text += decoder.decode(read.value, { stream: true });
    const match = text.match(/PORT (\d+)/);
    if (match) {
      reader.releaseLock();
      return Number(match[1]);
    }
  }
  throw new Error(`server exited before listening: ${text}`);
}

async function main(): Promise<void> {
  const runs = arg("runs", 3);
  const seconds = arg("seconds", 5);
  const connections = arg("connections", 16);
  console.log(
    `HTTP on loopback: ${connections} connections, ${seconds} s per run, median of ${runs} runs (Bun ${Bun.version})`,
  );
  const results = new Map<Scenario, Measured[]>();
  for (let run = 0; run < runs; run++) {
    // Interleaved, so a noisy moment on the shared machine hits every scenario alike.
    for (const scenario of SCENARIOS) {
      const measured = await measure(scenario, seconds, connections);
      results.set(scenario, [...(results.get(scenario) ?? []), measured]);
    }
  }
  const row = (scenario: Scenario) => {
    const all = results.get(scenario)!;
    return {
      rps: median(all.map((m) => m.rps)),
      p50: median(all.map((m) => m.p50)),
      p99: median(all.map((m) => m.p99)),
      errors: all.reduce((sum, m) => sum + m.errors, 0),
    };
  };
  const durable = row("register-durable");
  const enqueueOnly = row("register-enqueue-only");
  const plain = row("register-no-enqueue");
  const live = row("health-live");
  const bare = row("bare-live");
  printTable(
    ["route", "requests/s", "p50 ms", "p99 ms", "non-2xx/errors"],
    [
      [
        "POST /api/users/register, mail enqueued in the transaction, mails delivered meanwhile",
        durable.rps.toFixed(1),
        durable.p50,
        durable.p99,
        durable.errors,
      ],
      [
        "POST /api/users/register, mail enqueued in the transaction, jobs not running",
        enqueueOnly.rps.toFixed(1),
        enqueueOnly.p50,
        enqueueOnly.p99,
        enqueueOnly.errors,
      ],
      ["POST /api/users/register, enqueue removed", plain.rps.toFixed(1), plain.p50, plain.p99, plain.errors],
      ["GET /health/live, the reference app (its ceiling)", live.rps.toFixed(0), live.p50, live.p99, live.errors],
      ["GET /health/live, a bare Elysia app (the framework's)", bare.rps.toFixed(0), bare.p50, bare.p99, bare.errors],
    ],
  );
  const percent = (value: number) => `${((1 - value / plain.rps) * 100).toFixed(1)}%`;
  console.log(`\nEnqueue alone costs ${percent(enqueueOnly.rps)} of register throughput (target: at most 10%);`);
  console.log(`enqueue plus delivering the mails on the same cores costs ${percent(durable.rps)}.`);
  console.log(
    `/health/live: the reference app serves ${((live.rps / bare.rps) * 100).toFixed(0)}% of a bare Elysia app's rate.`,
  );
}

const serveIndex = process.argv.indexOf("--serve");
if (serveIndex >= 0) await serve(process.argv[serveIndex + 1] as Scenario, process.argv[serveIndex + 2]!);
else await main();
