import type { Subprocess } from "bun";

/** A child process whose stdout lines are collected, with a way to wait for one. */
export interface Child {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  lines: string[];
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<number>;
}

export function spawnChild(cmd: string[], env: Record<string, string | undefined> = {}, cwd?: string): Child {
  const proc = Bun.spawn(cmd, { cwd, env: { ...process.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buffered = "";
    const decoder = new TextDecoder();
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      lines.push(...parts);
      for (const wake of waiters) wake();
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
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
