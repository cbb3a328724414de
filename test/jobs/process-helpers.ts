// Spawning worker fixtures and reading their stdout line by line.
export type Child = Bun.Subprocess<"ignore", "pipe", "inherit">;

export const workerFixture = new URL("./fixtures/worker.ts", import.meta.url).pathname;

export function spawnWorker(args: string[], env: Record<string, string>): Child {
  return Bun.spawn(["bun", workerFixture, ...args], { stdout: "pipe", stderr: "inherit", stdin: "ignore", env: { ...process.env, ...env } });
}

/** Reads the child's stdout; resolves when `done(lines)` is true, rejects if the child exits first. */
export async function waitForOutput(child: Child, done: (lines: string[]) => boolean): Promise<string[]> {
  const lines = outputOf(child);
  while (!done(lines.all)) {
    if (lines.ended) throw new Error(`worker exited (code ${await child.exited}) before the expected output; got: ${lines.all.join(" | ")}`);
    await Bun.sleep(5);
  }
  return lines.all;
}

const outputs = new WeakMap<Child, { all: string[]; ended: boolean }>();

function outputOf(child: Child): { all: string[]; ended: boolean } {
  let output = outputs.get(child);
  if (output) return output;
  const state = { all: [] as string[], ended: false };
  outputs.set(child, state);
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    const reader = child.stdout.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffered += decoder.decode(chunk.value, { stream: true });
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      state.all.push(...parts);
    }
    state.ended = true;
  })();
  output = state;
  return output;
}
