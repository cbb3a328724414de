// The app killed with SIGKILL while 200 registrations are under way, on SQLite and on PostgreSQL: after
// a restart every acknowledged registration exists and gets its confirmation mail exactly once, and
// every registration that exists got its mail (the outbox); none twice, whatever the kill interrupted.

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startFakeResend } from "../support/fake-resend.ts";
import { testDatabaseUrl } from "../support/postgres.ts";
import { type Child, listeningUrl, spawnChild } from "../support/process.ts";
import { eventually, generatedSecret } from "./support/harness.ts";

const REGISTRATIONS = 200;
const dir = mkdtempSync(join(tmpdir(), "errand-registration-crash-"));
const children: Child[] = [];
afterAll(() => {
  for (const child of children) child.proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

interface Store {
  env: Record<string, string>;
  registered(): Promise<string[]>;
  cleanup(): Promise<void>;
}

function sqlite(): Store {
  const path = join(dir, "crash.sqlite");
  return {
    env: { DATABASE_URL: path },
    async registered() {
      const db = new Database(path, { readonly: true });
      try {
        return (db.query("SELECT email FROM app_users").all() as { email: string }[]).map((r) => r.email);
      } finally {
        db.close();
      }
    },
    cleanup: async () => {},
  };
}

function postgresStore(): Store {
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const [app, jobs] = [`errand_test_app_${suffix}`, `errand_test_jobs_${suffix}`];
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  const connected = client.connect();
  return {
    env: { DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: app, JOBS_SCHEMA: jobs },
    async registered() {
      await connected;
      const { rows } = await client.query<{ email: string }>(`select email from "${app}".app_users`);
      return rows.map((r) => r.email);
    },
    async cleanup() {
      await connected;
      for (const schema of [app, jobs]) await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

describe("SIGKILL during 200 registrations", () => {
  for (const [name, open] of [
    ["sqlite", sqlite],
    ["postgres", postgresStore],
  ] as const) {
    test(`${name}: nothing acknowledged is lost, every registration that exists is mailed once`, async () => {
      const store = open();
      const resend = startFakeResend({ apiKey: "re_crash_test_key" });
      const env = {
        ...store.env,
        PORT: "0",
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        AUTH_SECRET: generatedSecret(),
        PUBLIC_URL: "http://127.0.0.1",
        RESEND_API_KEY: resend.apiKey,
        RESEND_BASE_URL: resend.url,
        RATE_LIMIT_MAX: "100000",
      };
      const start = async () => {
        const child = spawnChild(["bun", "src/main.ts"], env);
        children.push(child);
        return { child, url: await listeningUrl(child) };
      };
      try {
        const first = await start();
        const acknowledged: string[] = [];
        const killAfter = 60 + Math.floor(Math.random() * 80);
        let killed = false;
        const register = async (i: number) => {
          const email = `crash${i}@example.com`;
          try {
            const response = await fetch(`${first.url}/api/users/register`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ email, password: "long enough pw", displayName: `User ${i}` }),
            });
            if (response.status === 201) acknowledged.push(email);
            else expect(response.status).toBe(201);
          } catch {
            // The connection died with the process: this registration may or may not have committed.
          }
          if (!killed && acknowledged.length >= killAfter) {
            killed = true;
            first.child.proc.kill("SIGKILL");
          }
        };
        // 20 at a time, so the kill lands with registrations in flight.
        let next = 0;
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            while (next < REGISTRATIONS) await register(next++);
          }),
        );
        expect(killed).toBe(true);
        await first.child.exited;
        expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);
        expect(acknowledged.length).toBeLessThan(REGISTRATIONS);

        const second = await start();
        const registered = await store.registered();
        for (const email of acknowledged) expect(registered).toContain(email);
        // Mails held by the killed process come back when their lease (30 s) expires.
        await eventually(
          () => (registered.every((email) => resend.deliveriesTo(email).length > 0) ? true : undefined),
          60_000,
        );
        await Bun.sleep(500);
        console.log(
          `${name}: ${acknowledged.length} acknowledged, ${registered.length} registered, ${resend.deliveries.length} mails`,
        );
        for (const email of registered) expect(resend.deliveriesTo(email), email).toHaveLength(1);
        expect(resend.deliveries).toHaveLength(registered.length);

        second.child.proc.kill("SIGTERM");
        expect(await second.child.exited).toBe(0);
      } finally {
        await resend.stop();
        await store.cleanup();
      }
    }, 120_000);
  }
});
