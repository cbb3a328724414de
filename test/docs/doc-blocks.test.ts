// The doc-test machinery itself: it must notice every way a README block can break.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type DocBlock, DocBlockError, DocRun, extractBlocks, type RunResult, runFailure } from "./doc-blocks.ts";

const markdown = `# Title

## Good
<!-- doc-test after
import { assert } from "../../test/docs/helpers.ts";
assert.equal(total, 3);
-->
\`\`\`ts
import { createChannel } from "errand";
const ch = createChannel<number>({ capacity: 2 });
ch.writer.tryWrite(1);
ch.writer.tryWrite(2);
let total = 0;
ch.writer.complete();
for await (const n of ch.reader) total += n;
\`\`\`

## Type error
\`\`\`ts
const n: number = "three";
\`\`\`

## Throws
\`\`\`ts
throw new Error("the example is broken");
\`\`\`

## Hidden check fails
<!-- doc-test after
if (answer !== 41) throw new Error("wrong answer");
-->
\`\`\`ts
const answer = 42;
\`\`\`

## Hangs
<!-- doc-test: timeout=1500 -->
\`\`\`ts
setInterval(() => {}, 1_000); // never stopped
\`\`\`

## Server on port 3000
<!-- doc-test after
if (server.port === 3000) throw new Error("the preload did not move the server to a free port");
await fetch(server.url);
await server.stop();
-->
\`\`\`ts
const server = Bun.serve({ port: 3000, fetch: () => new Response("hi") });
\`\`\`

## A failing bun:test file
\`\`\`ts
import { expect, test } from "bun:test";
test("adds", () => expect(1 + 1).toBe(3));
\`\`\`

## Fragment
\`\`\`ts
// fragment: shows one call, not a program
undefinedThing.call();
\`\`\`

\`\`\`sh
echo "not TypeScript: ignored"
\`\`\`
`;

const blocks = extractBlocks(markdown, "sample.md");
const byHeading = (heading: string): DocBlock => blocks.find((b) => b.heading === heading)!;
let run: DocRun;
let diagnostics: Map<DocBlock, string[]>;
const results = new Map<DocBlock, RunResult>();

beforeAll(async () => {
  run = new DocRun("self-test");
  run.write(blocks);
  diagnostics = await run.typecheck();
  for (const block of blocks) if (block.fragment === undefined) results.set(block, await run.run(block));
}, 60_000);
afterAll(() => run?.dispose());

describe("extraction", () => {
  test("finds the TypeScript blocks with their line, heading and hidden code", () => {
    expect(blocks.map((b) => b.heading)).toEqual([
      "Good",
      "Type error",
      "Throws",
      "Hidden check fails",
      "Hangs",
      "Server on port 3000",
      "A failing bun:test file",
      "Fragment",
    ]);
    const good = byHeading("Good");
    expect(good.line).toBe(9); // the first line of code, after the fence
    expect(good.after).toContain("assert.equal(total, 3);");
    expect(byHeading("Hangs").options.timeoutMs).toBe(1500);
    expect(byHeading("Fragment").fragment).toBe("shows one call, not a program");
  });

  test("refuses settings that would silently do nothing", () => {
    const orphan = "<!-- doc-test: timeout=100 -->\n\nSome text.\n\n```ts\nconst a = 1;\n```\n";
    expect(() => extractBlocks(orphan)).toThrow(DocBlockError);
    expect(() => extractBlocks("<!-- doc-test: timout=100 -->\n```ts\nconst a = 1;\n```\n")).toThrow(/timout/);
    expect(() => extractBlocks("<!-- doc-test: postgres -->\n```ts\n// fragment: x\nf();\n```\n")).toThrow(/fragment/);
    expect(() => extractBlocks("<!-- doc-test: resend -->\n```sh\nls\n```\n")).toThrow(/sh block/);
    expect(() => extractBlocks("```ts\nconst a = 1;\n")).toThrow(/never closed/);
  });
});

describe("running", () => {
  test("a good block passes, its hidden check included", () => {
    const good = byHeading("Good");
    expect(diagnostics.get(good)).toEqual([]);
    expect(runFailure(good, results.get(good)!)).toBeUndefined();
  });

  test("a type error fails, reported at its README line", () => {
    expect(diagnostics.get(byHeading("Type error"))).toEqual([
      expect.stringMatching(/^README line 20, column 7: error TS2322/),
    ]);
  });

  test("a block that throws fails with its output", () => {
    const block = byHeading("Throws");
    expect(runFailure(block, results.get(block)!)).toMatch(/exited with 1[\s\S]*the example is broken/);
  });

  test("a failing hidden check fails the block", () => {
    const block = byHeading("Hidden check fails");
    expect(runFailure(block, results.get(block)!)).toMatch(/wrong answer/);
  });

  test("a block that never ends is killed and fails", () => {
    const block = byHeading("Hangs");
    expect(results.get(block)!.timedOut).toBe(true);
    expect(runFailure(block, results.get(block)!)).toMatch(/still running after 1500 ms/);
  });

  test("a server listens on a free port, whatever port the block names", () => {
    const block = byHeading("Server on port 3000");
    expect(runFailure(block, results.get(block)!)).toBeUndefined();
  });

  test("a block that is a bun:test file runs under the test runner, and its failing test fails it", () => {
    const block = byHeading("A failing bun:test file");
    expect(runFailure(block, results.get(block)!)).toMatch(/\(fail\) adds/);
  });

  test("a fragment is neither type-checked nor run", () => {
    expect(diagnostics.has(byHeading("Fragment"))).toBe(false);
    expect(results.has(byHeading("Fragment"))).toBe(false);
  });
});
