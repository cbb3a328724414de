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

function startMain(env: Record<string, string>): Child {
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

  test("bad configuration: one message listing every bad variable, exit 1", async () => {
    const child = startMain({ PORT: "-5", LOG_LEVEL: "chatty", DATABASE_URL: "mysql://db" });
    expect(await child.exited).toBe(1);
    const output = child.lines.join("\n");
    expect(output).toContain("Invalid configuration (3 problems)");
    for (const name of ["PORT", "LOG_LEVEL", "DATABASE_URL"]) expect(output).toContain(`${name}=`);
  }, 30_000);
});
