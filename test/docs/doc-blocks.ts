// The README doc-test machinery: extracts the ```ts / ```tsx blocks of a Markdown file, writes each to
// a file inside the repository (so `errand/...` imports resolve through tsconfig `paths`), type-checks
// them all with one tsc run and executes each with bun under a timeout.
//
// The convention (CONTRIBUTING.md explains it to contributors):
// - Every ```ts / ```tsx block runs, unless its first line is a visible comment `// fragment: <why>`.
// - Hidden HTML comments right before a block (only blank lines between) configure its run:
//     <!-- doc-test: postgres resend timeout=20000 exit=0 pending="why" -->
//     <!-- doc-test before
//     ...TypeScript prepended to the block...
//     -->
//     <!-- doc-test after
//     ...TypeScript appended to the block: checks, then stopping what the block started...
//     -->
// - A block passes when it type-checks and its process exits with `exit` (default 0) within `timeout`.
//   A block that imports "bun:test" runs under `bun test` (so it passes when its tests pass).
// - Every server a block starts listens on a free port (preload.ts), whatever port the block names.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dir, "../..");
const preloadPath = join(import.meta.dir, "preload.ts");
const tscPath = join(repoRoot, "node_modules/typescript/bin/tsc");

export interface BlockOptions {
  /** Needs PostgreSQL: gets DATABASE_URL naming a fresh database (dropped afterwards). */
  postgres: boolean;
  /** Needs Resend: gets RESEND_API_KEY and RESEND_BASE_URL pointing at a local fake. */
  resend: boolean;
  timeoutMs: number;
  exitCode: number;
  /** Known to fail until the named work is merged: the test is `test.failing` and says so once it passes. */
  pending: string | undefined;
}

export interface DocBlock {
  /** 1-based line of the block's first code line in the Markdown file. */
  line: number;
  lang: "ts" | "tsx";
  code: string;
  /** The nearest heading above the block, for test names. */
  heading: string;
  /** The reason given by `// fragment: <why>`, when the block is not run. */
  fragment: string | undefined;
  before: string;
  after: string;
  options: BlockOptions;
}

export class DocBlockError extends Error {
  override name = "DocBlockError";
}

const defaultOptions: BlockOptions = {
  postgres: false,
  resend: false,
  timeoutMs: 15_000,
  exitCode: 0,
  pending: undefined,
};

const fence = /^(`{3,}|~{3,})\s*([\w-]*)(.*)$/;
const fragmentMarker = /^\s*\/\/\s*fragment\b:?\s*(.*)$/;

/** Every TypeScript block of `markdown`, with its hidden doc-test settings. Throws on a malformed directive. */
export function extractBlocks(markdown: string, file = "README.md"): DocBlock[] {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  let heading = "(top)";
  let pending: { options: Partial<BlockOptions>; before: string[]; after: string[]; line: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const open = fence.exec(text);
    if (open) {
      const [, marks, lang] = open;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end]!.startsWith(marks!)) end++;
      if (end >= lines.length) throw new DocBlockError(`${file}:${i + 1}: code block is never closed`);
      const code = lines.slice(start, end).join("\n");
      i = end;
      if (lang === "ts" || lang === "tsx" || lang === "typescript") {
        const firstLine = code.split("\n").find((l) => l.trim() !== "") ?? "";
        const marker = fragmentMarker.exec(firstLine);
        if (marker && pending) {
          throw new DocBlockError(`${file}:${start}: a fragment cannot have doc-test settings (line ${pending.line})`);
        }
        blocks.push({
          line: start + 1,
          lang: lang === "tsx" ? "tsx" : "ts",
          code,
          heading,
          fragment: marker ? marker[1]!.trim() || "fragment" : undefined,
          before: pending?.before.join("\n") ?? "",
          after: pending?.after.join("\n") ?? "",
          options: { ...defaultOptions, ...pending?.options },
        });
      } else if (pending) {
        throw new DocBlockError(`${file}:${pending.line}: doc-test settings before a ${lang || "plain"} block`);
      }
      pending = undefined;
      continue;
    }
    if (text.startsWith("#")) {
      if (pending) throw new DocBlockError(`${file}:${pending.line}: doc-test settings not followed by a code block`);
      heading = text.replace(/^#+\s*/, "");
      continue;
    }
    const directive = /^<!--\s*doc-test\b(.*)$/.exec(text);
    if (directive) {
      pending ??= { options: {}, before: [], after: [], line: i + 1 };
      const rest = directive[1]!.trim();
      if (rest.startsWith(":")) {
        if (!rest.endsWith("-->")) throw new DocBlockError(`${file}:${i + 1}: a doc-test settings comment is one line`);
        Object.assign(pending.options, parseOptions(rest.slice(1, -3), `${file}:${i + 1}`));
        continue;
      }
      if (rest !== "before" && rest !== "after") {
        throw new DocBlockError(`${file}:${i + 1}: expected "doc-test: …", "doc-test before" or "doc-test after"`);
      }
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j]!.trim() !== "-->") body.push(lines[j++]!);
      if (j >= lines.length) throw new DocBlockError(`${file}:${i + 1}: doc-test comment is never closed`);
      pending[rest].push(...body);
      i = j;
      continue;
    }
    if (pending && text.trim() !== "") {
      throw new DocBlockError(`${file}:${pending.line}: doc-test settings must come right before a code block`);
    }
  }
  if (pending) throw new DocBlockError(`${file}:${pending.line}: doc-test settings not followed by a code block`);
  return blocks;
}

function parseOptions(text: string, where: string): Partial<BlockOptions> {
  const options: Partial<BlockOptions> = {};
  for (const [, key, quoted, bare] of text.matchAll(/(\w+)(?:=(?:"([^"]*)"|(\S+)))?/g)) {
    const value = quoted ?? bare;
    switch (key) {
      case "postgres":
      case "resend":
        options[key] = true;
        break;
      case "timeout":
        options.timeoutMs = Number(value);
        break;
      case "exit":
        options.exitCode = Number(value);
        break;
      case "pending":
        options.pending = value;
        break;
      default:
        throw new DocBlockError(`${where}: unknown doc-test setting "${key}"`);
    }
    if ((key === "timeout" || key === "exit") && !Number.isInteger(Number(value))) {
      throw new DocBlockError(`${where}: ${key} needs a whole number, got ${JSON.stringify(value)}`);
    }
    if (key === "pending" && !value) throw new DocBlockError(`${where}: pending needs a reason: pending="…"`);
  }
  return options;
}

/** A directory inside the repository where blocks become files; `dispose()` removes it. */
export class DocRun {
  readonly dir: string;
  readonly #files = new Map<DocBlock, { file: string; codeOffset: number }>();

  constructor(label: string) {
    this.dir = join(repoRoot, ".doc-test", `${label}-${process.pid}-${Date.now()}`);
    mkdirSync(this.dir, { recursive: true });
    // Extends the repository's settings (strict, paths to errand/*); examples may leave values unused.
    writeFileSync(
      join(this.dir, "tsconfig.json"),
      JSON.stringify({
        extends: relative(this.dir, join(repoRoot, "tsconfig.json")),
        compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
        include: ["*.ts", "*.tsx"],
      }),
    );
  }

  /** Writes the runnable blocks; fragments are skipped. */
  write(blocks: readonly DocBlock[]): void {
    for (const block of blocks) {
      if (block.fragment !== undefined) continue;
      const file = join(this.dir, `line-${block.line}.${block.lang}`);
      const head = block.before ? `${block.before}\n` : "";
      const source = `${head}${block.code}\n${block.after ? `\n${block.after}\n` : ""}`;
      writeFileSync(file, source);
      this.#files.set(block, { file, codeOffset: head === "" ? 0 : head.split("\n").length - 1 });
    }
  }

  fileOf(block: DocBlock): string {
    const entry = this.#files.get(block);
    if (!entry) throw new Error(`block at line ${block.line} was not written`);
    return entry.file;
  }

  /** One tsc run over every written block; diagnostics by block, with Markdown line numbers where they fall in the block. */
  async typecheck(): Promise<Map<DocBlock, string[]>> {
    const proc = Bun.spawn([process.execPath, tscPath, "-p", join(this.dir, "tsconfig.json"), "--pretty", "false"], {
      cwd: repoRoot,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    const code = await proc.exited;
    const byBlock = new Map<DocBlock, string[]>();
    for (const block of this.#files.keys()) byBlock.set(block, []);
    const unplaced: string[] = [];
    for (const diagnostic of `${out}${err}`.split(/\n(?=\S)/)) {
      if (!diagnostic.trim()) continue;
      const match = /^(.*?)\((\d+),(\d+)\): (.*)$/s.exec(diagnostic.trim());
      const entry = match && [...this.#files].find(([, f]) => resolve(repoRoot, match[1]!) === f.file);
      if (!match || !entry) {
        unplaced.push(diagnostic.trim());
        continue;
      }
      const [block, { codeOffset }] = entry;
      const fileLine = Number(match[2]);
      const codeLine = fileLine - codeOffset;
      const lines = block.code.split("\n").length;
      const where =
        codeLine >= 1 && codeLine <= lines
          ? `README line ${block.line + codeLine - 1}`
          : `hidden ${codeLine < 1 ? "before" : "after"} code, line ${codeLine < 1 ? fileLine : codeLine - lines}`;
      byBlock.get(block)!.push(`${where}, column ${match[3]}: ${match[4]}`);
    }
    // Errors outside the blocks (a broken import in src/) are everyone's problem: report them on each block.
    if (code !== 0 && unplaced.length) for (const list of byBlock.values()) list.push(...unplaced);
    return byBlock;
  }

  /** Runs one block in a fresh working directory; kills it (and reports a timeout) after `timeoutMs`. */
  async run(block: DocBlock, env: Record<string, string> = {}): Promise<RunResult> {
    const cwd = join(this.dir, `cwd-${block.line}`);
    mkdirSync(cwd, { recursive: true });
    const started = performance.now();
    // A block that is a bun:test file runs under the test runner (exit 1 when a test fails).
    const usesBunTest = /from\s+["']bun:test["']/.test(`${block.before}\n${block.code}`);
    const command = usesBunTest ? ["test", "--preload", preloadPath] : ["--preload", preloadPath];
    const proc = Bun.spawn([process.execPath, ...command, this.fileOf(block)], {
      cwd,
      env: { ...process.env, NODE_ENV: "development", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill("SIGKILL");
    }, block.options.timeoutMs);
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    const exitCode = await proc.exited;
    clearTimeout(timer);
    return { exitCode, stdout, stderr, timedOut, ms: Math.round(performance.now() - started) };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/** Why a run does not count as a pass, or undefined when it passes. */
export function runFailure(block: DocBlock, result: RunResult): string | undefined {
  const tail = (text: string) => text.trim().split("\n").slice(-30).join("\n");
  const output = `--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`;
  if (result.timedOut) {
    return `README line ${block.line}: still running after ${block.options.timeoutMs} ms (a block must stop what it starts)\n${output}`;
  }
  if (result.exitCode !== block.options.exitCode) {
    return `README line ${block.line}: exited with ${result.exitCode}, expected ${block.options.exitCode}\n${output}`;
  }
  return undefined;
}

/** Runs `work` over `items` with at most `limit` at once, keeping each result's promise. */
export function limited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Map<T, Promise<R>> {
  const results = new Map<T, Promise<R>>();
  let running = 0;
  const queue: (() => void)[] = [];
  for (const item of items) {
    results.set(
      item,
      new Promise<void>((start) => (running < limit ? (running++, start()) : queue.push(start))).then(() =>
        work(item).finally(() => {
          const next = queue.shift();
          if (next) next();
          else running--;
        }),
      ),
    );
  }
  return results;
}
