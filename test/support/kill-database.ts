// A PostgreSQL database of a test's own, whose connections the test kills: "every backend of the
// database" then touches no other test's connections, even with other suites running on the server.
import { afterAll } from "bun:test";
import { testClient } from "../stores/postgres/pg-test-db.ts";
import { testDatabaseUrl } from "./postgres.ts";

export function killDatabase(label: string) {
  // The admin connection is on the test database, so it is never among the killed ones.
  const admin = testClient(1);
  const name = `errand_kill_${label}_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const url = Object.assign(new URL(testDatabaseUrl), { pathname: `/${name}` }).href;
  let created = false;

  afterAll(async () => {
    if (created) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  return {
    name,
    url,
    async create(): Promise<void> {
      await admin.unsafe(`create database ${name}`);
      created = true;
    },
    /** Terminates every connection to the database; returns how many there were. */
    async kill(): Promise<number> {
      const killed = await admin.unsafe(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [name],
      );
      return killed.length;
    },
    /** Kills the statements matching `pattern` (pg_stat_activity.query LIKE) once one runs. */
    async killWhenRunning(pattern: string): Promise<void> {
      for (let i = 0; i < 500; i++) {
        const killed = await admin.unsafe(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where datname = $1 and state = 'active' and query like $2`,
          [name, pattern],
        );
        if (killed.length > 0) return;
        await Bun.sleep(10);
      }
      throw new Error(`no statement like ${pattern} ran`);
    },
    /** Unreachable: the database refuses new connections, and the open ones are killed. */
    async refuse(): Promise<void> {
      await admin.unsafe(`alter database ${name} allow_connections false`);
      await this.kill();
    },
    async allow(): Promise<void> {
      await admin.unsafe(`alter database ${name} allow_connections true`);
    },
  };
}
