// The core from the packed tarball in workerd, Cloudflare Workers' runtime: the npm project's worker,
// bundled as a Worker would be deployed, served on a loopback port.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { runtimePath } from "../../scripts/runtimes.ts";
import { npmProject } from "./support/npm-project.ts";
import { run } from "./support/tarball.ts";

let workerd: Bun.Subprocess | undefined;
afterAll(async () => {
  workerd?.kill();
  await workerd?.exited;
});

/** A port nothing listens on right now (the OS picks it; workerd binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("a Worker uses a channel and computes a cron's next tick per request", async () => {
  const binary = runtimePath("workerd");
  const dir = npmProject("core", [], ["worker.mjs"]);
  // Workers get one module graph with no node_modules lookup at run time: bundle it, as wrangler does.
  run(["bun", "build", "worker.mjs", "--target=browser", "--format=esm", "--outfile=worker.bundle.js"], { cwd: dir });
  const port = await freePort();
  writeFileSync(
    join(dir, "workerd.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.bundle.js")],
  compatibilityDate = "2025-01-01",
);
`,
  );
  workerd = Bun.spawn([binary, "serve", "workerd.capnp"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const url = `http://127.0.0.1:${port}/?from=${Date.UTC(2026, 0, 1, 12)}`;
  let response: Response | undefined;
  for (let i = 0; i < 100 && !response; i++) {
    response = await fetch(url).catch(() => Bun.sleep(50).then(() => undefined));
  }
  if (!response)
    throw new Error(`workerd never answered:\n${await new Response(workerd.stderr as ReadableStream).text()}`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ words: ["edge", "runs", "errand"], next: "2026-01-02T03:00:00.000Z" });
  // A second request runs the same code again in the same isolate.
  const second = await fetch(url.replace("from=", "from=1"));
  expect((await second.json()).words).toEqual(["edge", "runs", "errand"]);
}, 120_000);
