// Durable workflows across process deaths, on SQLite and PostgreSQL: a worker is SIGKILLed while its
// workflows sleep, the next one while they are inside a step; the last one finishes them. Each step
// records an effect (job, step, time) in its own table: the steps before the interrupted one ran once,
// the interrupted step at most twice, the durable sleep was slept in full across the restart, and the
// result is stored. Also: a workflow waiting for an event is resumed by an event another process sends.
import "../support/postgres.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/hosting/index.ts";
import { createJobs, type JobStore } from "../../src/jobs/index.ts";
import { sqliteStore } from "../../src/stores/sqlite/index.ts";
import { waitForOutput } from "../support/process.ts";
import { crashWorkflow, eventWorkflow } from "./fixtures/workflows.ts";
import type { Child } from "./process-helpers.ts";

const workflows = 6;
const napMs = 1_500;
const fixture = new URL("./fixtures/workflow-worker.ts", import.meta.url).pathname;
const children = new Set<Child>();

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all([...children].map((c) => c.exited));
});

interface Effect {
  job_id: string;
  step: string;
  at: number;
}

interface Backend {
  store: JobStore<unknown>;
  args: string[];
  effects(): Promise<Effect[]>;
  cleanup(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), "errand-wf-"));
  const path = join(dir, "jobs.db");
  const store = sqliteStore({ path });
  store.database.run("CREATE TABLE wf_effects (job_id TEXT NOT NULL, step TEXT NOT NULL, at INTEGER NOT NULL)");
  const all = store.database.prepare<Effect, []>("SELECT job_id, step, at FROM wf_effects ORDER BY at");
  return {
    store: store as JobStore<unknown>,
    args: ["sqlite", path],
    effects: async () => all.all(),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const { postgresStore } = await import("../../src/stores/postgres/index.ts");
  const { dropSchema, testClient, testDatabaseUrl, testSchema } = await import("../stores/postgres/pg-test-db.ts");
  const admin = testClient(2);
  const schema = testSchema("wfcrash");
  const store = postgresStore({ pool: admin, schema });
  await store.init();
  await admin.query(
    `create table "${schema}".wf_effects (job_id text not null, step text not null, at bigint not null)`,
  );
  return {
    store: store as JobStore<unknown>,
    args: ["postgres", testDatabaseUrl, schema],
    effects: async () =>
      (await admin.query<Effect>(`select job_id, step, at::float8 as at from "${schema}".wf_effects order by at`)).rows,
    cleanup: async () => {
      await store.close();
      await dropSchema(admin, schema);
      await admin.end();
    },
  };
}

const backends = [
  ["sqlite", sqliteBackend],
  ["postgres", postgresBackend],
] as const;

function worker(args: string[], env: Record<string, string> = {}): Child {
  const child = Bun.spawn(["bun", fixture, ...args], {
    stdout: "pipe",
    stderr: "inherit",
    stdin: "ignore",
    env: { ...process.env, NAP_MS: String(napMs), ...env },
  });
  children.add(child);
  return child;
}

async function kill(child: Child): Promise<void> {
  child.kill("SIGKILL");
  await child.exited;
  children.delete(child);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

describe("workflows across process deaths", () => {
  for (const [name, makeBackend] of backends) {
    test(`${name}: SIGKILL while sleeping, then inside a step: steps once (the interrupted one at most twice), the sleep kept, the result stored`, async () => {
      const backend = await makeBackend();
      try {
        const wf = crashWorkflow();
        const producer = createJobs({ store: backend.store, jobs: [wf], logger: silentLogger });
        const ids = await producer.enqueueMany(
          wf,
          Array.from({ length: workflows }, (_, n) => ({ payload: { n } })),
        );
        const stepsOf = async (step: string) => (await backend.effects()).filter((e) => e.step === step);

        // 1. Killed while every workflow sleeps: nothing of them is held by a process.
        const first = worker(backend.args);
        await waitForOutput(first, (lines) => lines.includes("ready"));
        await until(async () => (await stepsOf("s1")).length === workflows, "every s1");
        await until(
          async () => (await backend.store.list({ state: "scheduled", limit: 100 })).jobs.length === workflows,
          "every workflow asleep",
        );
        await kill(first);

        // 2. Killed inside s2, on its first run.
        const second = worker(backend.args);
        await waitForOutput(second, (lines) => lines.some((line) => line.startsWith("in-step s2")));
        await kill(second);
        expect((await stepsOf("s3")).length).toBeLessThan(workflows);

        // 3. The last worker finishes every workflow (an interrupted s2 waits for its lease to expire).
        const last = worker(backend.args);
        await waitForOutput(last, (lines) => lines.includes("ready"));
        await until(
          async () => (await backend.store.counts()).some((c) => c.state === "succeeded" && c.count === workflows),
          "every workflow succeeded",
        );
        last.kill("SIGTERM");
        expect(await last.exited).toBe(0);
        children.delete(last);

        const effects = await backend.effects();
        for (const id of ids) {
          const of = (step: string) => effects.filter((e) => e.job_id === id && e.step === step);
          expect(of("s1")).toHaveLength(1);
          expect(of("s2").length).toBeGreaterThanOrEqual(1);
          expect(of("s2").length).toBeLessThanOrEqual(2);
          expect(of("s3")).toHaveLength(1);
          // The sleep was slept in full, though the worker that started it died during it.
          expect(of("s2")[0]!.at - of("s1")[0]!.at).toBeGreaterThanOrEqual(napMs);
          const record = (await backend.store.get(id))!;
          expect(record).toMatchObject({ state: "succeeded", result: { n: expect.any(Number), done: true } });
        }
        const interrupted = ids.filter((id) => effects.filter((e) => e.job_id === id && e.step === "s2").length === 2);
        console.log(`${name}: s2 ran twice for ${interrupted.length} of ${workflows} workflows (killed inside it)`);
        expect(interrupted.length).toBeGreaterThanOrEqual(1);
      } finally {
        await backend.cleanup();
      }
    }, 60_000);

    test(`${name}: waitForEvent is resumed by an event sent from another process; a timeout gives null`, async () => {
      const backend = await makeBackend();
      try {
        const wf = eventWorkflow();
        const producer = createJobs({ store: backend.store, jobs: [wf], logger: silentLogger });
        const child = worker(backend.args, { TIMEOUT_MS: "1500" });
        await waitForOutput(child, (lines) => lines.includes("ready"));
        const [resumed, timesOut] = await producer.enqueueMany(wf, [{ payload: { n: 1 } }, { payload: { n: 2 } }]);
        await until(
          async () => (await backend.store.list({ state: "scheduled", limit: 10 })).jobs.length === 2,
          "both waiting",
        );
        expect(await producer.sendEvent("go:1", { value: 42 })).toBe(1);
        await until(async () => (await backend.store.get(resumed!))!.state === "succeeded", "the resumed workflow");
        expect((await backend.store.get(resumed!))!.result).toEqual({ value: 42 });
        await until(async () => (await backend.store.get(timesOut!))!.state === "succeeded", "the timed-out workflow");
        // null (the timeout); the PostgreSQL store reads a JSON null result back as none (rows.ts).
        expect((await backend.store.get(timesOut!))!.result ?? null).toBeNull();
        child.kill("SIGTERM");
        expect(await child.exited).toBe(0);
        children.delete(child);
      } finally {
        await backend.cleanup();
      }
    }, 30_000);
  }
});
