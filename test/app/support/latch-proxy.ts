import type { Server } from "bun";

/**
 * An HTTP proxy in front of the fake Resend that holds every request until `open()`: with it a test
 * can prove the HTTP response came while the mail job was still blocked on the provider.
 */
export class LatchProxy {
  /** Requests that reached the proxy (the mail job is running and waiting on the latch). */
  arrived = 0;
  readonly #server: Server<undefined>;
  #open!: () => void;
  readonly #opened = new Promise<void>((resolve) => (this.#open = resolve));

  constructor(target: string) {
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0,
      fetch: async (request) => {
        this.arrived++;
        const body = await request.arrayBuffer();
        await this.#opened;
        const url = new URL(request.url);
        return fetch(`${target}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          body,
        });
      },
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  open(): void {
    this.#open();
  }

  async stop(): Promise<void> {
    this.#open();
    await this.#server.stop(true);
  }
}

/** A port nothing listens on right now, so the app's PUBLIC_URL can name its own port before it starts. */
export function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}
