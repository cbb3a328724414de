// Spawning worker fixtures; read their stdout with waitForOutput (test/support/process.ts).
export type Child = Bun.Subprocess<"ignore", "pipe", "inherit">;

export const workerFixture = new URL("./fixtures/worker.ts", import.meta.url).pathname;

export function spawnWorker(args: string[], env: Record<string, string>): Child {
  return Bun.spawn(["bun", workerFixture, ...args], {
    stdout: "pipe",
    stderr: "inherit",
    stdin: "ignore",
    env: { ...process.env, ...env },
  });
}
