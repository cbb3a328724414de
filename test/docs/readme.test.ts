// Every runnable ```ts / ```tsx block of README.md, type-checked and executed (see doc-blocks.ts for
// the convention). Blocks that need PostgreSQL run in readme-postgres.test.ts.
import { expect, test } from "bun:test";
import { describeReadmeBlocks, readmeBlocks } from "./readme-suite.ts";

const blocks = readmeBlocks();

test("README has runnable blocks, and every block is run or marked // fragment", () => {
  const runnable = blocks.filter((b) => b.fragment === undefined);
  expect(runnable.length).toBeGreaterThan(5);
  // extractBlocks already refused malformed settings; a fragment must say why it does not run.
  for (const block of blocks) if (block.fragment !== undefined) expect(block.fragment).not.toBe("fragment");
});

describeReadmeBlocks(
  "README blocks",
  blocks.filter((b) => b.fragment === undefined && !b.options.postgres),
);
