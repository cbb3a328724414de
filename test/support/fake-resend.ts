/**
 * A fake of Resend's HTTP API (POST /emails, POST /emails/batch) for tests and benchmarks: the real
 * `resend` SDK talks to it through `baseUrl` / RESEND_BASE_URL. It follows Resend's documented
 * behaviour (Bearer auth, 401/403/422 error bodies `{ statusCode, name, message }`, idempotency keys
 * remembered 24 h with 409 on a different payload or a concurrent request, `ratelimit-*` headers)
 * and adds fault injection and a record of every delivery.
 */
import type { Server } from "bun";

export type Fault =
  | { kind: "429"; retryAfterSeconds?: number }
  /** 500 with Resend's JSON error body; nothing is delivered. */
  | { kind: "500" }
  /** 502 with an HTML body, as a proxy in front of the API would send. Nothing is delivered. */
  | { kind: "502" }
  /** 422 validation_error with this message: the provider refuses the mail. */
  | { kind: "422"; message?: string }
  /** The mail IS delivered, then no response ever comes (until the client gives up). */
  | { kind: "hang" }
  /** The mail IS delivered, then the connection is cut halfway through the response. */
  | { kind: "drop" };

export interface RandomFaults {
  "429"?: number;
  "500"?: number;
  "502"?: number;
  hang?: number;
  drop?: number;
}

export interface FakeResendOptions {
  apiKey?: string;
  /** Enforce a limit: at most `limit` requests per `windowMs` (default 1000); extra ones get 429 and count as violations. */
  rateLimit?: { limit: number; windowMs?: number; toleranceMs?: number };
  /** Random faults by probability, drawn from a seeded generator so a failing run can be replayed. */
  randomFaults?: RandomFaults;
  seed?: number;
  /** Each accepted request takes this long before it is processed (so a killed client leaves it in flight). */
  latencyMs?: number;
  /** The 429s injected as faults say this (seconds; default 1). */
  retryAfterSeconds?: number;
  now?: () => number;
}

export interface Delivered {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string | undefined;
  text: string | undefined;
  idempotencyKey: string | undefined;
  batch: boolean;
  receivedAt: number;
}

interface RemembersKey {
  bodyHash: string;
  state: "in-progress" | "done";
  status: number;
  body: string;
  at: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const EMAIL = /^(?:[^<>]*<\s*)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>?$/;

export class FakeResend {
  readonly apiKey: string;
  readonly deliveries: Delivered[] = [];
  /** Every request that reached a route, including faulted and refused ones. */
  readonly requests: {
    path: string;
    idempotencyKey: string | undefined;
    at: number;
    status: number | "hang" | "drop";
  }[] = [];
  /** Requests accepted over the enforced rate limit's budget. Stays 0 for a well-behaved client. */
  rateLimitViolations = 0;
  readonly #server: Server<undefined>;
  readonly #options: FakeResendOptions;
  readonly #now: () => number;
  readonly #faults: Fault[] = [];
  readonly #keys = new Map<string, RemembersKey>();
  readonly #window: number[] = [];
  readonly #hanging = new Set<() => void>();
  #random: () => number;

  constructor(options: FakeResendOptions = {}) {
    this.#options = options;
    this.apiKey = options.apiKey ?? "re_test_fake_key";
    this.#now = options.now ?? Date.now;
    this.#random = seeded(options.seed ?? 1);
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0,
      fetch: (request) => this.#handle(request),
      // A dropped connection is an errored body stream; keep Bun from logging it as a server bug.
      error: () => new Response(null, { status: 500 }),
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  /** Applies these faults to the next requests, one each, before any random fault. */
  inject(...faults: Fault[]): void {
    this.#faults.push(...faults);
  }

  setRandomFaults(faults: RandomFaults | undefined, seed = 1): void {
    this.#options.randomFaults = faults;
    this.#random = seeded(seed);
  }

  /** Deliveries with this address among their recipients. */
  deliveriesTo(address: string): Delivered[] {
    return this.deliveries.filter((d) => d.to.some((to) => to.includes(address)));
  }

  async stop(): Promise<void> {
    for (const release of this.#hanging) release();
    await this.#server.stop(true);
  }

  async #handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST" || (path !== "/emails" && path !== "/emails/batch")) {
      return this.#error(
        path === "/emails" || path === "/emails/batch" ? 405 : 404,
        path === "/emails" ? "method_not_allowed" : "not_found",
        "Route not found.",
      );
    }
    const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
    const record = (status: number | "hang" | "drop") =>
      this.requests.push({ path, idempotencyKey, at: this.#now(), status });

    const auth = this.#authenticate(request);
    if (auth) return (record(auth.status), auth);
    const limited = this.#rateLimit();
    if (limited) return (record(429), limited);

    const fault = this.#faults.shift() ?? this.#randomFault();
    if (fault?.kind === "429") return (record(429), this.#tooManyRequests(fault.retryAfterSeconds));
    if (fault?.kind === "500") return (record(500), this.#error(500, "application_error", "Internal server error."));
    if (fault?.kind === "502")
      return (
        record(502),
        new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", {
          status: 502,
          headers: { "content-type": "text/html" },
        })
      );
    if (fault?.kind === "422")
      return (record(422), this.#error(422, "validation_error", fault.message ?? "The request is invalid."));

    if (this.#options.latencyMs) await Bun.sleep(this.#options.latencyMs);
    const response = await this.#process(request, path, idempotencyKey);
    if (fault?.kind === "hang") return (record("hang"), this.#hang(request));
    if (fault?.kind === "drop") return (record("drop"), dropped());
    record(response.status);
    return response;
  }

  #authenticate(request: Request): Response | undefined {
    const header = request.headers.get("authorization");
    if (!header?.startsWith("Bearer ") || header.length === "Bearer ".length) {
      return this.#error(
        401,
        "missing_api_key",
        "Missing API key in the authorization header. Include the following header Authorization: Bearer YOUR_API_KEY in the request.",
      );
    }
    if (header.slice("Bearer ".length) !== this.apiKey)
      return this.#error(403, "invalid_api_key", "API key is invalid");
    return undefined;
  }

  /** Sliding window over arrival times; `toleranceMs` absorbs network jitter between client and server clocks. */
  #rateLimit(): Response | undefined {
    const limit = this.#options.rateLimit;
    if (!limit) return undefined;
    const now = this.#now();
    const windowMs = (limit.windowMs ?? 1000) - (limit.toleranceMs ?? 25);
    while (this.#window.length > 0 && this.#window[0]! <= now - windowMs) this.#window.shift();
    if (this.#window.length >= limit.limit) {
      this.rateLimitViolations++;
      return this.#tooManyRequests(1);
    }
    this.#window.push(now);
    return undefined;
  }

  async #process(request: Request, path: string, idempotencyKey: string | undefined): Promise<Response> {
    const raw = await request.text();
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length < 1 || idempotencyKey.length > 256) {
        return this.#error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
      }
      const remembered = this.#remembered(idempotencyKey);
      const bodyHash = String(Bun.hash(`${path}\u0000${raw}`));
      if (remembered && remembered.bodyHash !== bodyHash) {
        return this.#error(
          409,
          "invalid_idempotent_request",
          "Same idempotency key used with a different request payload. Change your idempotency key or payload.",
        );
      }
      if (remembered?.state === "in-progress") {
        return this.#error(
          409,
          "concurrent_idempotent_requests",
          "Same idempotency key used while original request is still in progress. Try the request again later.",
        );
      }
      if (remembered) return this.#json(remembered.status, remembered.body);
      this.#keys.set(idempotencyKey, { bodyHash, state: "in-progress", status: 0, body: "", at: this.#now() });
      const response = this.#accept(path, raw, idempotencyKey);
      if (response.status === 200) {
        this.#keys.set(idempotencyKey, {
          bodyHash,
          state: "done",
          status: 200,
          body: await response.clone().text(),
          at: this.#now(),
        });
      } else {
        this.#keys.delete(idempotencyKey);
      }
      return response;
    }
    return this.#accept(path, raw, undefined);
  }

  #remembered(key: string): RemembersKey | undefined {
    const entry = this.#keys.get(key);
    if (entry && this.#now() - entry.at > DAY_MS) {
      this.#keys.delete(key);
      return undefined;
    }
    return entry;
  }

  #accept(path: string, raw: string, idempotencyKey: string | undefined): Response {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.#error(400, "validation_error", "Invalid JSON in the request body.");
    }
    const emails = path === "/emails/batch" ? body : [body];
    if (!Array.isArray(emails)) return this.#error(422, "validation_error", "The batch must be an array of emails.");
    if (emails.length === 0 || emails.length > 100)
      return this.#error(422, "validation_error", "A batch holds between 1 and 100 emails.");
    for (const email of emails) {
      const problem = validate(email);
      if (problem) return this.#error(422, problem.name, problem.message);
    }
    const ids = (emails as EmailBody[]).map((email) => this.#deliver(email, idempotencyKey, path === "/emails/batch"));
    const payload = path === "/emails/batch" ? { data: ids.map((id) => ({ id })) } : { id: ids[0] };
    return this.#json(200, JSON.stringify(payload));
  }

  #deliver(email: EmailBody, idempotencyKey: string | undefined, batch: boolean): string {
    const id = crypto.randomUUID();
    this.deliveries.push({
      id,
      from: email.from,
      to: Array.isArray(email.to) ? email.to : [email.to],
      subject: email.subject,
      html: email.html,
      text: email.text,
      idempotencyKey,
      batch,
      receivedAt: this.#now(),
    });
    return id;
  }

  #randomFault(): Fault | undefined {
    const faults = this.#options.randomFaults;
    if (!faults) return undefined;
    let roll = this.#random();
    for (const kind of ["429", "500", "502", "hang", "drop"] as const) {
      const p = faults[kind] ?? 0;
      if (roll < p)
        return kind === "429" ? { kind, retryAfterSeconds: this.#options.retryAfterSeconds ?? 1 } : { kind };
      roll -= p;
    }
    return undefined;
  }

  #hang(request: Request): Promise<Response> {
    return new Promise((resolve) => {
      const release = () => {
        this.#hanging.delete(release);
        resolve(this.#error(504, "application_error", "Gave up."));
      };
      this.#hanging.add(release);
      request.signal.addEventListener("abort", release, { once: true });
    });
  }

  #tooManyRequests(retryAfterSeconds = this.#options.retryAfterSeconds ?? 1): Response {
    const response = this.#error(
      429,
      "rate_limit_exceeded",
      "Too many requests. You can only make 5 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.",
    );
    response.headers.set("retry-after", String(retryAfterSeconds));
    return response;
  }

  #error(statusCode: number, name: string, message: string): Response {
    return this.#json(statusCode, JSON.stringify({ statusCode, name, message }));
  }

  #json(status: number, body: string): Response {
    const headers = new Headers({ "content-type": "application/json" });
    const limit = this.#options.rateLimit;
    if (limit) {
      const windowMs = limit.windowMs ?? 1000;
      const oldest = this.#window[0] ?? this.#now();
      headers.set("ratelimit-limit", String(limit.limit));
      headers.set("ratelimit-remaining", String(Math.max(0, limit.limit - this.#window.length)));
      headers.set("ratelimit-reset", String(Math.max(1, Math.ceil((oldest + windowMs - this.#now()) / 1000))));
    }
    return new Response(body, { status, headers });
  }
}

interface EmailBody {
  from: string;
  to: string | string[];
  subject: string;
  html?: string;
  text?: string;
}

function validate(email: unknown): { name: string; message: string } | undefined {
  if (typeof email !== "object" || email === null)
    return { name: "validation_error", message: "Each email must be an object." };
  const e = email as Partial<Record<keyof EmailBody, unknown>>;
  for (const field of ["from", "to", "subject"] as const) {
    if (e[field] === undefined || e[field] === "")
      return { name: "missing_required_field", message: `Missing \`${field}\` field.` };
  }
  if (typeof e.from !== "string" || !EMAIL.test(e.from)) {
    return {
      name: "validation_error",
      message:
        "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
    };
  }
  const to = Array.isArray(e.to) ? e.to : [e.to];
  if (to.length === 0 || to.length > 50)
    return { name: "validation_error", message: "The `to` field holds between 1 and 50 addresses." };
  if (!to.every((address) => typeof address === "string" && EMAIL.test(address))) {
    return {
      name: "validation_error",
      message:
        "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
    };
  }
  if (e.html === undefined && e.text === undefined)
    return { name: "validation_error", message: "Missing `html` or `text` field." };
  return undefined;
}

/** The connection is cut after the status line: the client sees a reset, not an answer. */
function dropped(): Response {
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode('{"id":'));
      controller.error(
        new Error("fake-resend fault injection: connection dropped on purpose (Bun logs this; expected)"),
      );
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
}

/** mulberry32: small, fast, seedable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startFakeResend(options?: FakeResendOptions): FakeResend {
  return new FakeResend(options);
}
