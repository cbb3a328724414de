import { afterAll } from "bun:test";
import { dropSchema, testClient, testDatabaseUrl, testSchema } from "../stores/postgres/pg-test-db.ts";
import { waitForOutput } from "./process.ts";

/**
 * The set-up of a many-instances test: a PostgreSQL schema of its own, an admin client on it, and
 * instance processes (`bun <fixture> <url> <schema> <name>`, each printing "ready" once started), all
 * killed and dropped after the file's tests.
 */
export function pgInstances(label: string) {
  const admin = testClient(2);
  const schema = testSchema(label);
  const children: Bun.Subprocess<"ignore", "pipe", "inherit">[] = [];

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map((child) => child.exited));
    await dropSchema(admin, schema);
    await admin.end();
  });

  /**
   * Spawns one instance per name, with `env` added to this process's environment, and resolves once
   * every one of them is ready, with the instances (read more of their stdout with waitForOutput).
   */
  async function start(
    fixture: string,
    names: string[],
    env: Record<string, string> = {},
  ): Promise<Bun.Subprocess<"ignore", "pipe", "inherit">[]> {
    const started = names.map((name) =>
      Bun.spawn(["bun", fixture, testDatabaseUrl, schema, name], {
        stdout: "pipe",
        stderr: "inherit",
        env: { ...process.env, ...env },
      }),
    );
    children.push(...started);
    await Promise.all(started.map((child) => waitForOutput(child, (lines) => lines.includes("ready"))));
    return started;
  }

  return { admin, schema, start, children: children as readonly Bun.Subprocess<"ignore", "pipe", "inherit">[] };
}
