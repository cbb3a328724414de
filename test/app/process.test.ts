import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Child, listeningUrl, spawnChild } from "../support/process.ts";

const dir = mkdtempSync(join(tmpdir(), "errand-app-process-"));
const children: Child[] = [];
afterAll(() => {
  for (const child of children) child.proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function startMain(env: Record<string, string | undefined>): Child {
  const child = spawnChild(["bun", "src/main.ts"], { PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test", ...env });
  children.push(child);
  return child;
}

describe("bun src/main.ts", () => {
  test("ready on a free port; SIGTERM stops the hosted services and exits 0", async () => {
    const child = startMain({ DATABASE_URL: join(dir, "main.sqlite"), SHUTDOWN_TIMEOUT_MS: "3000" });
    const url = await listeningUrl(child);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    const port = new URL(url).port;
    const healthcheck = () =>
      Bun.spawn(["bun", "src/main.ts", "healthcheck"], { env: { ...process.env, PORT: port } }).exited;
    expect(await healthcheck()).toBe(0);
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(await healthcheck()).toBe(1);
    // The exit code can arrive before the last lines of output have been read.
    await child.waitForLine((line) => line.includes('"msg":"stopped"'));
    const stopped = child.lines
      .filter((line) => line.includes('"service stopped"'))
      .map((line) => JSON.parse(line).service);
    expect(stopped).toEqual(["cron", "jobs"]);
    expect(child.lines.some((line) => line.includes('"msg":"request"') && line.includes("/health/ready"))).toBe(true);
  }, 30_000);

  test("SHUTDOWN_DRAIN_MS: on SIGTERM readiness answers 503 while requests are served, then connections are refused", async () => {
    const child = startMain({ DATABASE_URL: join(dir, "drain.sqlite"), SHUTDOWN_DRAIN_MS: "1000" });
    const url = await listeningUrl(child);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    child.proc.kill("SIGTERM");
    const seen: (number | string)[] = [];
    let drained: unknown;
    // Polled as a load balancer would, until the server has closed.
    while (seen.at(-1) !== "refused") {
      const answer = await fetch(`${url}/health/ready`).catch(() => undefined);
      if (answer?.status === 503) drained ??= await answer.json();
      else await answer?.arrayBuffer();
      if (seen.at(-1) !== (answer?.status ?? "refused")) seen.push(answer?.status ?? "refused");
      await Bun.sleep(50);
    }
    expect(await child.exited).toBe(0);
    // A 200 may still come before the signal is handled; then only 503 until the server closes.
    expect(seen.filter((s) => s !== 200)).toEqual([503, "refused"]);
    expect(drained).toEqual({ status: "not_ready", state: "started", reasons: ["host is draining before it stops"] });
    expect(await fetch(`${url}/health/live`).catch(() => "refused")).toBe("refused");
  }, 30_000);

  test("without NODE_ENV it is production: one message listing what production needs, exit 1", async () => {
    const child = startMain({ NODE_ENV: undefined, DATABASE_URL: join(dir, "prod.sqlite") });
    expect(await child.exited).toBe(1);
    await child.waitForLine((line) => line.includes("Invalid configuration"), 5_000);
    const output = child.lines.join("\n");
    expect(output).toContain("Invalid configuration (3 problems)");
    for (const name of ["AUTH_SECRET", "PUBLIC_URL", "RESEND_API_KEY"]) expect(output).toContain(`${name}="(unset)"`);
    expect(output).toContain("MAIL_TRANSPORT=preview");
    expect(output).not.toContain("    at ");
  }, 30_000);

  test("bad configuration: one message listing every bad variable, exit 1", async () => {
    const child = startMain({ PORT: "-5", LOG_LEVEL: "chatty", DATABASE_URL: "mysql://db" });
    expect(await child.exited).toBe(1);
    const output = child.lines.join("\n");
    expect(output).toContain("Invalid configuration (3 problems)");
    for (const name of ["PORT", "LOG_LEVEL", "DATABASE_URL"]) expect(output).toContain(`${name}=`);
  }, 30_000);
});

describe("first run", () => {
  test("`bun run dev` is development: the listening line links the docs and the mail preview; a missing data directory is created", async () => {
    const child = spawnChild(["bun", "run", "dev"], {
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: undefined,
      DATABASE_URL: join(dir, "fresh", "data", "dev.sqlite"),
    });
    children.push(child);
    const line = JSON.parse(await child.waitForLine((l) => l.includes('"listening"'))) as Record<string, string>;
    expect(line.docs).toBe(`${line.url}/swagger`);
    expect(line.mail).toBe(`${line.url}/dev/mail`);
    expect((await fetch(line.docs!)).status).toBe(200);
    expect(await (await fetch(`${line.url}/`)).json()).toMatchObject({
      links: { docs: "/swagger", mail: "/dev/mail" },
    });
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 30_000);

  test("development on a terminal: pretty log lines instead of JSON", async () => {
    // `script` gives the app a pseudo-terminal, as a developer's shell does.
    if (!Bun.which("script")) throw new Error("`script` is missing: apt-get install -y bsdutils (util-linux)");
    const env = { NODE_ENV: "development", DATABASE_URL: join(dir, "pretty.sqlite") };
    const child = spawnChild(["script", "-qefc", "bun src/main.ts", "/dev/null"], {
      PORT: "0",
      HOST: "127.0.0.1",
      ...env,
    });
    children.push(child);
    const line = await child.waitForLine((l) => l.includes("listening"));
    expect(line).toContain("INFO");
    expect(line.trimStart()).not.toStartWith("{");
    child.proc.kill("SIGTERM");
    await child.exited;
  }, 30_000);
});

describe("startup failures say what to fix, exit 1", () => {
  /** The process's output once it exited 1 and printed its one-line reason (which starts with `start`). */
  async function failure(env: Record<string, string>, start: string): Promise<string> {
    const child = startMain(env);
    expect(await child.exited).toBe(1);
    // The exit code can arrive before the last lines of output have been read.
    await child.waitForLine((line) => line.startsWith(start), 5_000);
    const output = child.lines.join("\n");
    expect(output).not.toContain("    at ");
    return output;
  }

  test("PostgreSQL refuses the connection: names DATABASE_URL, the host and the cause", async () => {
    const output = await failure(
      { DATABASE_URL: "postgres://postgres:hunter2@127.0.0.1:1/test" },
      "Cannot use the PostgreSQL database",
    );
    expect(output).toContain("DATABASE_URL (host 127.0.0.1:1");
    expect(output).toContain("the connection was refused");
    expect(output).not.toContain("hunter2");
  }, 30_000);

  test("the port is taken: the started services are stopped again, one line names PORT", async () => {
    const holder = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    try {
      const port = String(holder.port);
      const output = await failure(
        { PORT: port, DATABASE_URL: join(dir, "port-taken.sqlite") },
        `Port ${port} is already in use`,
      );
      expect(output).toContain(`Port ${port} is already in use: set PORT to a free port or stop the process using it.`);
      const stopped = output
        .split("\n")
        .filter((line) => line.includes('"service stopped"'))
        .map((line) => JSON.parse(line).service);
      expect(stopped).toEqual(["cron", "jobs"]);
    } finally {
      holder.stop(true);
    }
  }, 30_000);

  // The test server (127.0.0.1:5432) has SSL off, as a local PostgreSQL usually does.
  test("sslmode=require against a server without SSL: the same message, naming sslmode and the fix", async () => {
    const output = await failure(
      { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test?sslmode=require" },
      "Cannot use the PostgreSQL database",
    );
    expect(output).toContain("DATABASE_URL (host 127.0.0.1:5432");
    expect(output).toContain("the server does not accept SSL connections");
  }, 30_000);

  test("a SQLite path whose directory cannot be created: names DATABASE_URL and the cause", async () => {
    const file = join(dir, "a-file");
    await Bun.write(file, "not a directory");
    const output = await failure({ DATABASE_URL: join(file, "data", "app.sqlite") }, "Cannot open the SQLite database");
    expect(output).toContain(`Cannot open the SQLite database DATABASE_URL=${join(file, "data", "app.sqlite")}`);
    expect(output).toContain("is a file, not a directory");
  }, 30_000);
});
