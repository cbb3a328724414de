import { afterAll, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import type { Child } from "../support/process.ts";
import { runSeedFlow } from "./support/seed-flow.ts";

const dir = mkdtempSync(join(tmpdir(), "errand-artifact-"));
const children: Child[] = [];
afterAll(() => {
  for (const child of children) child.proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("the compiled artifact (`bun run build`) runs the whole flow from another directory", async () => {
  // The build script as written, writing into this test's own directory so parallel builds do not collide.
  const binary = join(dir, "errand");
  const script = packageJson.scripts.build.replace(/--outfile \S+/, `--outfile ${binary}`);
  expect(script).toContain("--compile");
  const build = Bun.spawnSync(["sh", "-c", script], { stdout: "pipe", stderr: "pipe" });
  expect(build.exitCode, build.stderr.toString()).toBe(0);
  // Without NODE_ENV the binary is production, and refuses to start without what production needs.
  const unset = Bun.spawnSync([binary], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: undefined, PORT: "0", DATABASE_URL: join(dir, "unset", "app.sqlite") },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(unset.exitCode).toBe(1);
  for (const name of ["AUTH_SECRET", "PUBLIC_URL", "RESEND_API_KEY"]) {
    expect(unset.stderr.toString()).toContain(`${name}="(unset)"`);
  }
  // Without its migrations beside it, the binary says so and what to do, instead of a stack trace.
  const bare = Bun.spawnSync([binary], {
    cwd: dir,
    env: { ...process.env, PORT: "0", NODE_ENV: "test", DATABASE_URL: join(dir, "bare", "app.sqlite") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const complaint = bare.stderr.toString();
  expect(bare.exitCode, complaint).toBe(1);
  expect(complaint).toContain('The migrations folder "drizzle/');
  expect(complaint).toContain("copy the repository's drizzle/ next to the binary");
  expect(complaint).not.toContain("    at ");
  // Migrations ship beside the binary, as in the container image.
  cpSync("drizzle", join(dir, "drizzle"), { recursive: true });
  await runSeedFlow({ command: [binary], cwd: dir, databasePath: join(dir, "data", "app.sqlite"), children });
}, 120_000);
