// Imported by the hidden `doc-test before/after` code of README blocks (as "../../test/docs/helpers.ts").
export { default as assert } from "node:assert/strict";

/** Resolves once `check` returns true; throws after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
