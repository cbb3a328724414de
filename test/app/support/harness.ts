import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "errand";
import { type MemoryTransport, memoryTransport } from "errand/testing";
import pg from "pg";
import { type AppConfig, loadConfig } from "../../../src/app/config.ts";
import { createApp } from "../../../src/app/create-app.ts";
import { createLogger } from "../../../src/app/logger.ts";
import { type AppRuntime, openRuntime } from "../../../src/app/runtime/index.ts";
import { testDatabaseUrl } from "../../support/postgres.ts";
import { type SwitchableTransport, switchableTransport } from "./switchable-transport.ts";

/** Generated (`openssl rand -hex 32`): the app refuses typed, low-entropy tokens. */
export const ADMIN_TOKEN = "d94c74948425f6b39d737fed004c18d08f56ac2bb16346b4d15e0dd8c0452541";
export const METRICS_TOKEN = "b2b5dc84d66a6cea9ef7010ae349ec510b1d3b1f329664fa6bb8e1f04cce055c";

/** A fresh secret strong enough for AUTH_SECRET and the tokens. */
export function generatedSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
}

export interface TestApp {
  /** The provider in front of `transport`: make it refuse mails or lose answers; see every request. */
  mailProvider: SwitchableTransport;
  app: ReturnType<typeof createApp>;
  runtime: AppRuntime;
  config: AppConfig;
  transport: MemoryTransport;
  /** Every log line, raw JSON. */
  logs: string[];
  dir: string;
  request(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export const POSTGRES_URL = testDatabaseUrl;

/** Schemas of their own for one test app on PostgreSQL, dropped by stop(). */
function postgresEnv(): Record<string, string> {
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  return {
    DATABASE_URL: POSTGRES_URL,
    DATABASE_SCHEMA: `errand_test_app_${suffix}`,
    JOBS_SCHEMA: `errand_test_jobs_${suffix}`,
  };
}

/**
 * The whole app on a fresh SQLite file in a temp dir (or, with `postgres`, fresh schemas on the local
 * PostgreSQL), mails captured in memory (unless `previewMail`), host started.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { clock?: Clock; start?: boolean; postgres?: boolean; previewMail?: boolean } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "errand-app-"));
  const database = options.postgres ? postgresEnv() : { DATABASE_URL: join(dir, "app.sqlite") };
  const config = loadConfig({ ...database, NODE_ENV: "test", LOG_LEVEL: "debug", ...env });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (line) => void logs.push(line) });
  const transport = memoryTransport();
  const mailProvider = switchableTransport(transport);
  const runtime = await openRuntime({
    config,
    logger,
    // With previewMail, mails go where they go on a fresh checkout: the preview store (/dev/mail).
    ...(options.previewMail ? {} : { transport: mailProvider }),
    pollIntervalMs: 50,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // As main.ts does: the HTTP tracing plugin (and the OpenTelemetry SDK) only when tracing is on.
  const httpTracing = config.tracing ? (await import("../../../src/app/tracing.ts")).httpTracing() : undefined;
  const app = createApp(config, {
    logger,
    runtime,
    httpTracing,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  if (options.start !== false) await app.decorator.host.start();
  return {
    app,
    mailProvider,
    runtime,
    config,
    transport,
    logs,
    dir,
    request: (path, init) => app.handle(new Request(`http://localhost${path}`, init)),
    async stop() {
      if (app.decorator.host.state === "started") await app.decorator.host.stop();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
      if (options.postgres) await dropSchemas(config.databaseSchema, config.jobsSchema);
    },
  };
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(10);
  }
}

/** The confirm token from the newest confirmation mail to `address`. */
export function confirmTokenFrom(transport: MemoryTransport, address: string): string | undefined {
  const mail = transport.to(address).at(-1);
  return mail?.text.match(/confirm\?token=([\w-]+)/)?.[1];
}

async function dropSchemas(...schemas: string[]): Promise<void> {
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
