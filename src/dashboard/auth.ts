// Who may use the dashboard, and proof that a POST comes from its own pages.
//
// Two ways in: the app's own `authorize(request)` (a proxy header, the app's session), or TokenAuth,
// a sign-in form for one shared token (the reference app's ADMIN_TOKEN) that opens a real session:
// a random id in an HttpOnly, SameSite=Strict cookie, kept server-side and deleted at sign-out, so a
// copied cookie dies with the session. `Authorization: Bearer <token>` works on every route too, for
// scripts: a header a browser never attaches on its own, so such requests need no CSRF proof.
//
// Every POST made with a cookie must (1) come from the dashboard's own origin (Sec-Fetch-Site, or
// Origin when a browser sends no Sec-Fetch-Site) and (2) carry the CSRF token of its session (TokenAuth)
// or of its CSRF cookie (double submit, with `authorize`). SameSite=Strict already keeps the cookie
// off cross-site requests; the checks hold where it does not (old browsers, sibling subdomains).

/** A signed-in session: stored under the SHA-256 of its cookie value, never the value itself. */
export interface DashboardSession {
  expiresAt: number;
  /** The CSRF token the session's forms carry. */
  csrf: string;
}

/**
 * Where sessions live. The default keeps them in this process: with several instances behind a load
 * balancer, give each the same store (a table, Redis) or pin a client to one instance.
 */
export interface DashboardSessionStore {
  get(key: string): Promise<DashboardSession | undefined> | DashboardSession | undefined;
  set(key: string, session: DashboardSession): Promise<void> | void;
  delete(key: string): Promise<void> | void;
}

/** Sessions in a Map, expired ones swept as new ones come; at most `max`, the oldest dropped first. */
export class MemorySessionStore implements DashboardSessionStore {
  readonly #sessions = new Map<string, DashboardSession>();
  constructor(
    private readonly max = 10_000,
    private readonly clock: { now(): number } = Date,
  ) {}

  get(key: string): DashboardSession | undefined {
    return this.#sessions.get(key);
  }

  set(key: string, session: DashboardSession): void {
    const now = this.clock.now();
    for (const [k, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(k);
    while (this.#sessions.size >= this.max) this.#sessions.delete(this.#sessions.keys().next().value!);
    this.#sessions.set(key, session);
  }

  delete(key: string): void {
    this.#sessions.delete(key);
  }

  get size(): number {
    return this.#sessions.size;
  }
}

export interface TokenAuthOptions {
  /** The shared secret: at least 16 characters (the reference app's ADMIN_TOKEN). */
  token: string;
  /** How long a session lasts from sign-in (default 8 hours). */
  sessionTtlMs?: number;
  sessions?: DashboardSessionStore;
  /**
   * Wrong tokens a client may present (sign-in form or Bearer) per window before it is refused with
   * 429 until the window ends (default 10 per 15 minutes).
   */
  maxFailures?: number;
  failureWindowMs?: number;
  clock?: { now(): number };
}

/** Sign-in with one shared token: sessions, Bearer, and a limit on wrong guesses. */
export class TokenAuth {
  readonly sessionTtlMs: number;
  readonly sessions: DashboardSessionStore;
  readonly failures: FailureLimiter;
  readonly clock: { now(): number };
  readonly #token: Promise<Uint8Array>;

  constructor(options: TokenAuthOptions) {
    if (typeof options.token !== "string" || options.token.length < 16)
      throw new TypeError("tokenAuth: the token must be a string of at least 16 characters.");
    this.clock = options.clock ?? Date;
    this.sessionTtlMs = options.sessionTtlMs ?? 8 * 3_600_000;
    this.sessions = options.sessions ?? new MemorySessionStore(10_000, this.clock);
    this.failures = new FailureLimiter(options.maxFailures ?? 10, options.failureWindowMs ?? 15 * 60_000, this.clock);
    this.#token = sha256(options.token);
  }

  /** Compares digests, so the time taken says nothing about how much of the token matched. */
  async matches(presented: string): Promise<boolean> {
    return constantTimeEqual(await sha256(presented), await this.#token);
  }

  /** A new session; returns the cookie value (only the browser keeps it). */
  async open(): Promise<{ cookie: string; session: DashboardSession }> {
    const cookie = randomToken();
    const session = { expiresAt: this.clock.now() + this.sessionTtlMs, csrf: randomToken() };
    await this.sessions.set(await sessionKey(cookie), session);
    return { cookie, session };
  }

  async read(cookie: string | undefined): Promise<DashboardSession | undefined> {
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
    const key = await sessionKey(cookie);
    const session = await this.sessions.get(key);
    if (!session) return undefined;
    if (session.expiresAt > this.clock.now()) return session;
    await this.sessions.delete(key);
    return undefined;
  }

  async close(cookie: string | undefined): Promise<void> {
    if (cookie) await this.sessions.delete(await sessionKey(cookie));
  }
}

export function tokenAuth(options: TokenAuthOptions): TokenAuth {
  return new TokenAuth(options);
}

/** Failures per client within a fixed window; a client at the limit is refused until its window ends. */
export class FailureLimiter {
  readonly #clients = new Map<string, { failures: number; resetAt: number }>();
  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly clock: { now(): number },
  ) {}

  /** Milliseconds until the client may try again; 0 when it may now. */
  retryAfterMs(client: string): number {
    const entry = this.#clients.get(client);
    const now = this.clock.now();
    if (!entry || entry.resetAt <= now) return 0;
    return entry.failures >= this.max ? entry.resetAt - now : 0;
  }

  fail(client: string): void {
    const now = this.clock.now();
    const entry = this.#clients.get(client);
    if (entry && entry.resetAt > now) {
      entry.failures++;
      return;
    }
    if (this.#clients.size >= 10_000)
      for (const [key, e] of this.#clients) if (e.resetAt <= now) this.#clients.delete(key);
    this.#clients.set(client, { failures: 1, resetAt: now + this.windowMs });
  }

  succeed(client: string): void {
    this.#clients.delete(client);
  }
}

/**
 * Whether a state-changing request comes from a page of this origin. Browsers send Sec-Fetch-Site
 * (all current ones) and Origin on POST; a request with neither comes from a script or an old
 * browser, which a SameSite=Strict cookie and the CSRF token still cover.
 */
export function sameOrigin(request: Request, allowedOrigins: readonly string[]): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none";
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  if (allowedOrigins.includes(origin)) return true;
  // Behind a proxy the request URL may name the internal address; the Host header names what the
  // browser asked for.
  const host = request.headers.get("host");
  try {
    const url = new URL(origin);
    return url.host === host || url.origin === new URL(request.url).origin;
  } catch {
    return false;
  }
}

export function readCookie(request: Request, name: string): string | undefined {
  for (const part of request.headers.get("cookie")?.split(";") ?? []) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export function bearer(request: Request): string | undefined {
  return request.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** 32 random bytes, base64url (43 characters). */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

export async function tokensEqual(a: string, b: string): Promise<boolean> {
  return constantTimeEqual(await sha256(a), await sha256(b));
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

async function sessionKey(cookie: string): Promise<string> {
  return [...(await sha256(cookie))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
