// The tail of every worker-process fixture: start the host, announce "ready" on stdout (the parent
// waits for it), and on SIGTERM stop the host and close the store before exiting 0, as a deployed
// worker would.
import type { Host } from "../../src/hosting/index.ts";

export async function runUntilSigterm(host: Host, store: { close(): Promise<void> }): Promise<void> {
  process.on("SIGTERM", async () => {
    await host.stop();
    await store.close();
    process.exit(0);
  });
  await host.start();
  console.log("ready");
}
