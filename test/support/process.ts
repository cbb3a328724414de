import type { Subprocess } from "bun";

/** A child process whose stdout lines are collected, with a way to wait for one. */
export interface Child {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  lines: string[];
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<number>;
}

export function spawnChild(cmd: string[], env: Record<string, string | undefined> = {}, cwd?: string): Child {
  const proc = Bun.spawn(cmd, {
    cwd,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (stream: ReadableStream<Uint8Array>) =>
    void readLines(stream, (parts) => {
      lines.push(...parts);
      for (const wake of waiters) wake();
    });
  collect(proc.stdout);
  collect(proc.stderr);
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching line within ${timeoutMs} ms; got:\n${lines.join("\n")}`));
      }, timeoutMs);
      const check = () => {
        const line = lines.find(match);
        if (line === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(line);
      };
      waiters.add(check);
      check();
    });
  return { proc, lines, waitForLine, exited: proc.exited };
}

/** The `url` field of serve()'s "listening" log line. */
export async function listeningUrl(child: Child): Promise<string> {
  const line = await child.waitForLine((l) => l.includes('"listening"'));
  return (JSON.parse(line) as { url: string }).url;
}

/** Calls `onLines` with each batch of complete lines read from `stream`; resolves when it ends. */
async function readLines(stream: ReadableStream<Uint8Array>, onLines: (lines: string[]) => void): Promise<void> {
  let buffered = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    onLines(parts);
  }
}

/** A child spawned with `stdout: "pipe"` by Bun.spawn, whatever its other streams. */
export interface PipedChild {
  stdout: ReadableStream<Uint8Array>;
  exited: Promise<number>;
}

const outputs = new WeakMap<PipedChild, { all: string[]; ended: boolean }>();

/** The child's stdout lines so far, read from the first call on (one reader per child). */
function outputOf(child: PipedChild): { all: string[]; ended: boolean } {
  let output = outputs.get(child);
  if (output) return output;
  const state = { all: [] as string[], ended: false };
  outputs.set(child, state);
  void readLines(child.stdout, (parts) => state.all.push(...parts)).then(() => (state.ended = true));
  output = state;
  return output;
}

/** Reads the child's stdout; resolves when `done(lines)` is true, rejects if the child exits first. */
export async function waitForOutput(child: PipedChild, done: (lines: string[]) => boolean): Promise<string[]> {
  const lines = outputOf(child);
  while (!done(lines.all)) {
    if (lines.ended)
      throw new Error(
        `child exited (code ${await child.exited}) before the expected output; got: ${lines.all.join(" | ")}`,
      );
    await Bun.sleep(5);
  }
  return lines.all;
}
