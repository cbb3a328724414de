import { afterAll, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Child } from "../support/process.ts";
import { runSeedFlow } from "./support/seed-flow.ts";

const dir = mkdtempSync(join(tmpdir(), "errand-seed-"));
const children: Child[] = [];
afterAll(() => {
  for (const child of children) child.proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("seed flow on `bun src/main.ts`: 201 before the mail is sent, the mail's link confirms once, tokens, SIGTERM exit 0", async () => {
  await runSeedFlow({ command: ["bun", "src/main.ts"], databasePath: join(dir, "seed.sqlite"), children });
}, 60_000);
