// Bodies and connections over real sockets, written byte by byte as a client may send them: the body
// limit holds for streamed (chunked) bodies and lying lengths, every over-limit body gets the JSON 413,
// and slow clients do not starve the others.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_MAX: "10000" });
  t.app.listen({ port: 0, hostname: "127.0.0.1" });
  port = t.app.server!.port!;
});
afterAll(async () => {
  await t.app.stop();
  await t.stop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (within the wait). */
  closed: boolean;
}

/**
 * Writes `head` and then the body parts to a fresh connection (stopping early if the server closes
 * it), and reads the first response: what a client that does not play by the rules sees.
 */
async function raw(head: string, parts: (string | Uint8Array)[] = [], waitMs = 3_000): Promise<RawResponse> {
  const socket = connect(port, "127.0.0.1");
  let received = Buffer.alloc(0);
  let closed = false;
  socket.on("data", (chunk) => (received = Buffer.concat([received, chunk])));
  socket.on("close", () => (closed = true));
  socket.on("error", () => (closed = true));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  await write(socket, head);
  for (const part of parts) {
    if (closed || response(received)) break;
    await write(socket, part);
  }
  const deadline = Date.now() + waitMs;
  while (!closed && Date.now() < deadline) {
    if (response(received)?.complete) break;
    await Bun.sleep(10);
  }
  // Give a closing server a moment to close, so `closed` says what it did.
  for (let i = 0; i < 50 && !closed; i++) await Bun.sleep(10);
  socket.destroy();
  const parsed = response(received);
  if (!parsed) throw new Error(`no response; got ${JSON.stringify(received.toString("latin1").slice(0, 200))}`);
  return { ...parsed, closed };
}

function write(socket: Socket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.write(data, () => resolve());
  });
}

/** The first response in `bytes` (status, headers, body by content-length), or null before its head. */
function response(bytes: Buffer): (Omit<RawResponse, "closed"> & { complete: boolean }) | null {
  const text = bytes.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  const body = bytes.subarray(end + 4, end + 4 + length).toString("utf8");
  return { status: Number(statusLine!.split(" ")[1]), headers, body, complete: Buffer.byteLength(body) >= length };
}

const head = (headers: Record<string, string>) =>
  `POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;

/** A register body of about `size` bytes. */
function bigBody(size: number): string {
  const shell = JSON.stringify({ email: "big@example.com", password: "long enough pw", displayName: "" });
  return shell.replace('"displayName":""', `"displayName":"${"x".repeat(size - shell.length)}"`);
}

/** `body` as HTTP/1.1 chunks of `chunkSize` bytes, ending with the last chunk. */
function chunked(body: string, chunkSize = 16 * 1024): string[] {
  const parts: string[] = [];
  for (let at = 0; at < body.length; at += chunkSize) {
    const chunk = body.slice(at, at + chunkSize);
    parts.push(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
  }
  parts.push("0\r\n\r\n");
  return parts;
}

function userCount(): number {
  const db = new Database(`${t.dir}/app.sqlite`, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM app_users").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function expectJson413(res: RawResponse): void {
  expect(res.status).toBe(413);
  expect(res.headers["content-type"]).toContain("application/json");
  expect(JSON.parse(res.body)).toMatchObject({ error: "payload_too_large", requestId: expect.any(String) });
}

describe("the body limit (64 KiB) over real sockets", () => {
  test("a chunked 900 KB body is refused with the JSON 413, and the connection is closed", async () => {
    const before = userCount();
    const res = await raw(head({ "Transfer-Encoding": "chunked" }), chunked(bigBody(900_000)));
    expectJson413(res);
    expect(res.closed).toBe(true);
    expect(userCount()).toBe(before);
  });

  test("a chunked body under the limit is read as usual", async () => {
    const body = JSON.stringify({ email: "chunked@example.com", password: "long enough pw", displayName: "C" });
    const res = await raw(head({ "Transfer-Encoding": "chunked", Connection: "close" }), chunked(body, 7));
    expect(res.status).toBe(201);
    const broken = await raw(head({ "Transfer-Encoding": "chunked", Connection: "close" }), chunked('{"email":', 3));
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ error: "invalid_json" });
  });

  test("a declared length over the limit gets the JSON 413 before any body is sent", async () => {
    expectJson413(await raw(head({ "Content-Length": "70000" })));
  });

  test("a declared length above the server's own maximum (2 MB, 1 GB) gets the same JSON 413", async () => {
    for (const length of [2_000_000, 1_000_000_000]) {
      const res = await raw(head({ "Content-Length": String(length) }), ["x".repeat(64 * 1024)]);
      expectJson413(res);
      expect(res.closed).toBe(true);
    }
  });

  test("a lying content-length: only the declared bytes are the body, the rest is no request", async () => {
    const before = userCount();
    const body = bigBody(900_000);
    const res = await raw(head({ "Content-Length": "100" }), [body]);
    // The first 100 bytes are cut-off JSON; what follows does not parse as a request either.
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_json" });
    expect(userCount()).toBe(before);
  });

  test("a chunked body that lies about its chunk sizes is refused, never half-read into a user", async () => {
    const before = userCount();
    const res = await raw(head({ "Transfer-Encoding": "chunked" }), [`10\r\n${"x".repeat(900_000)}\r\n0\r\n\r\n`]);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(userCount()).toBe(before);
  });
});

describe("slow clients", () => {
  test("slowloris: 100 connections trickling their headers do not keep others from being served", async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => {});
        socket.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        sockets.push(socket);
      }
      const trickle = setInterval(() => {
        for (const socket of sockets) if (!socket.destroyed) socket.write("X-Slow: 1\r\n");
      }, 200);
      try {
        for (let i = 0; i < 10; i++) {
          const started = performance.now();
          const live = await fetch(`http://127.0.0.1:${port}/health/live`);
          expect(live.status).toBe(200);
          expect(performance.now() - started).toBeLessThan(500);
          await Bun.sleep(100);
        }
      } finally {
        clearInterval(trickle);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  test("50 bodies that never finish arriving hold only their own connections", async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => {});
        socket.write(`${head({ "Content-Length": "1000" })}{"email":`);
        sockets.push(socket);
      }
      await Bun.sleep(200);
      const registered = await fetch(`http://127.0.0.1:${port}/api/users/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "patient@example.com", password: "long enough pw", displayName: "P" }),
      });
      expect(registered.status).toBe(201);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
