import { parseTrustProxy, type TrustProxy, trustNobody } from "./http/client-address.ts";
import { estimatedEntropyBits, MIN_SECRET_BITS } from "./secret-strength.ts";

/**
 * The app's configuration, read once from the environment at start. Every variable is checked before
 * the app does anything, and all problems are reported together, so a misconfigured deployment fails
 * with one message that names each bad variable instead of one per restart.
 */
export type NodeEnv = "development" | "production" | "test";
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
export type DatabaseConfig = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };
/** `resend` sends mails; `preview` keeps them in the database and shows them at /dev/mail. */
export type MailTransportKind = "resend" | "preview";

export interface AppConfig {
  port: number;
  hostname: string;
  database: DatabaseConfig;
  /** PostgreSQL only: the schema of the app's tables, and the jobs store's schema. */
  databaseSchema: string;
  jobsSchema: string;
  nodeEnv: NodeEnv;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  /** How long readiness fails before the server stops, so a load balancer moves traffic away first. */
  shutdownDrainMs: number;
  publicUrl: string;
  mailTransport: MailTransportKind;
  resendApiKey: string | undefined;
  resendBaseUrl: string | undefined;
  mailFrom: string;
  /**
   * Queued mails waiting at the same time leave in one batch request (Resend: up to 100), through a
   * delivery ledger in the app's database that keeps each mail sent once across retries and crashes.
   */
  mailBatching: boolean;
  adminToken: string | undefined;
  metricsToken: string | undefined;
  /** Empty: CORS is off (no CORS headers at all). */
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** Per IP, per route group (register, token, resend-confirmation, confirm), per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Per IP, per window, over the whole admin API (failed authentications included). */
  adminRateLimitMax: number;
  /** Which peers' X-Forwarded-For names the client (rate limits behind a proxy). */
  trustProxy: TrustProxy;
  /** Secret that signs access tokens (HMAC-SHA256). */
  authSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** How long a rotated refresh token still answers with the pair it was rotated into (concurrent refreshes). */
  refreshReuseIntervalSeconds: number;
  confirmTokenTtlSeconds: number;
  /** Minimum time between two confirmation mails to one address. */
  resendConfirmationIntervalMs: number;
  succeededJobRetentionHours: number;
  swaggerEnabled: boolean;
  devRoutesEnabled: boolean;
  /**
   * OpenTelemetry traces (HTTP and jobs): on when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set and OTEL_SDK_DISABLED is not "true". The SDK reads the
   * rest of the OTEL_* variables itself.
   */
  tracing: boolean;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

type Env = Record<string, string | undefined>;
const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const NODE_ENVS: readonly NodeEnv[] = ["development", "production", "test"];

/** Reads and validates the environment; throws one ConfigError listing every bad variable. */
export function loadConfig(env: Env = defaultEnv()): AppConfig {
  const read = new EnvReader(env);
  // Unset means production: `bun run start`, the compiled binary and the image must not get
  // development's conveniences (an open /dev/mail, Swagger, stacks in 500s, a throwaway AUTH_SECRET)
  // because a variable was forgotten. `bun run dev` sets development.
  const nodeEnv = read.oneOf("NODE_ENV", NODE_ENVS, "production");
  const port = read.integer("PORT", 3000, 0, 65535);
  const production = nodeEnv === "production";
  const resendApiKey = read.optional("RESEND_API_KEY");
  const mailTransport = read.mailTransport("MAIL_TRANSPORT", resendApiKey, production);
  const adminToken = read.secret("ADMIN_TOKEN");
  const devRoutesEnabled = read.boolean("DEV_ROUTES_ENABLED", !production);
  if (production && devRoutesEnabled && mailTransport === "preview" && !adminToken) {
    // /dev/mail lists every mail with its confirmation link: in production it opens only with the admin token.
    read.problem("DEV_ROUTES_ENABLED", "true", "ADMIN_TOKEN set as well in production, to guard /dev/mail");
  }
  const config: AppConfig = {
    port,
    hostname: read.string("HOST", "0.0.0.0"),
    database: read.database("DATABASE_URL", "./data/errand.sqlite"),
    databaseSchema: read.identifier("DATABASE_SCHEMA", "public"),
    jobsSchema: read.identifier("JOBS_SCHEMA", "errand"),
    nodeEnv,
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, production ? "info" : "debug"),
    shutdownTimeoutMs: read.integer("SHUTDOWN_TIMEOUT_MS", 5000, 0, 600_000),
    shutdownDrainMs: read.integer("SHUTDOWN_DRAIN_MS", 0, 0, 600_000),
    // Confirmation links must point where users can reach the app, which only the operator knows.
    publicUrl: (production
      ? read.requiredUrl("PUBLIC_URL", "the base URL of the links in mails, e.g. https://app.example.com")
      : read.url("PUBLIC_URL", `http://localhost:${port}`)
    ).replace(/\/+$/, ""),
    mailTransport,
    resendApiKey,
    resendBaseUrl: read.optionalUrl("RESEND_BASE_URL"),
    mailFrom: read.string("MAIL_FROM", "Errand <onboarding@resend.dev>"),
    mailBatching: read.boolean("MAIL_BATCHING", false),
    adminToken,
    metricsToken: read.secret("METRICS_TOKEN"),
    tracing: tracingRequested(env),
    corsOrigins: read.list("CORS_ORIGINS"),
    bodyLimitBytes: read.integer("BODY_LIMIT_BYTES", 64 * 1024, 1024, 100 * 1024 * 1024),
    rateLimitMax: read.integer("RATE_LIMIT_MAX", 20, 1, 1_000_000),
    rateLimitWindowMs: read.integer("RATE_LIMIT_WINDOW_MS", 60_000, 1000, 86_400_000),
    adminRateLimitMax: read.integer("ADMIN_RATE_LIMIT_MAX", 300, 1, 1_000_000),
    trustProxy: read.trustProxy("TRUST_PROXY"),
    authSecret: read.authSecret("AUTH_SECRET", production),
    accessTokenTtlSeconds: read.integer("ACCESS_TOKEN_TTL_SECONDS", 15 * 60, 10, 86_400),
    refreshTokenTtlSeconds: read.integer("REFRESH_TOKEN_TTL_SECONDS", 30 * 86_400, 60, 365 * 86_400),
    refreshReuseIntervalSeconds: read.integer("REFRESH_REUSE_INTERVAL_SECONDS", 10, 0, 60),
    confirmTokenTtlSeconds: read.integer("CONFIRM_TOKEN_TTL_SECONDS", 24 * 3600, 60, 30 * 86_400),
    resendConfirmationIntervalMs: read.integer("RESEND_CONFIRMATION_INTERVAL_MS", 60_000, 0, 86_400_000),
    succeededJobRetentionHours: read.integer("SUCCEEDED_JOB_RETENTION_HOURS", 7 * 24, 1, 365 * 24),
    swaggerEnabled: read.boolean("SWAGGER_ENABLED", !production),
    devRoutesEnabled,
  };
  if (read.problems.length) throw new ConfigError(read.problems);
  return config;
}

function defaultEnv(): Env {
  // Config is the app's edge: reading the process environment here keeps the rest runtime-neutral.
  return typeof process === "undefined" ? {} : process.env;
}

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      return this.#fail(name, raw, `an integer from ${min} to ${max}`, fallback);
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    return this.#fail(name, raw, "true or false", fallback);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    return this.#fail(name, raw, `one of ${allowed.join(", ")}`, fallback);
  }

  url(name: string, fallback: string): string {
    return this.optionalUrl(name) ?? fallback;
  }

  requiredUrl(name: string, what: string): string {
    if (this.optional(name) === undefined) return this.#fail(name, "(unset)", `set in production: ${what}`, "");
    return this.optionalUrl(name) ?? "";
  }

  optionalUrl(name: string): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    if (!/^https?:\/\//.test(raw) || !URL.canParse(raw)) return this.#fail(name, raw, "an http(s) URL", undefined);
    return raw;
  }

  identifier(name: string, fallback: string): string {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw))
      return this.#fail(name, raw, "a lowercase SQL identifier (letters, digits, _)", fallback);
    return raw;
  }

  list(name: string): string[] {
    return (this.optional(name) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /**
   * Tokens guard admin and metrics, and AUTH_SECRET signs every access token: a typed or patterned one
   * is a mistake worth refusing to start over (see secret-strength.ts for the estimate and threshold).
   */
  secret(name: string): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    const bits = estimatedEntropyBits(raw);
    if (raw.length < 16 || bits < MIN_SECRET_BITS) {
      return this.#fail(
        name,
        "(hidden)",
        `a generated secret of at least ${MIN_SECRET_BITS} bits (this one: ${raw.length} characters, about ${Math.floor(bits)} bits), e.g. \`openssl rand -base64 32\``,
        undefined,
      );
    }
    return raw;
  }

  authSecret(name: string, required: boolean): string {
    const raw = this.optional(name);
    if (raw !== undefined) return this.secret(name) ?? "";
    if (required) return this.#fail(name, "(unset)", "set in production, e.g. `openssl rand -base64 32`", "");
    // Outside production a per-process random secret is enough: tokens just end with the process.
    return crypto.randomUUID() + crypto.randomUUID();
  }

  mailTransport(name: string, resendApiKey: string | undefined, production: boolean): MailTransportKind {
    const raw = this.optional(name);
    if (raw === undefined) {
      if (resendApiKey) return "resend";
      // Falling back to the preview store in production would accept registrations and never mail anyone.
      if (production) {
        return this.#fail(
          "RESEND_API_KEY",
          "(unset)",
          `set in production, or ${name}=preview to keep mails in the database (shown at /dev/mail) instead of sending them`,
          "preview",
        );
      }
      return "preview";
    }
    const kind = this.oneOf<MailTransportKind>(name, ["resend", "preview"], "preview");
    if (kind === "resend" && !resendApiKey) this.#fail("RESEND_API_KEY", "(unset)", `set when ${name}=resend`, "");
    return kind;
  }

  trustProxy(name: string): TrustProxy {
    const parsed = parseTrustProxy(this.optional(name));
    return "error" in parsed ? this.#fail(name, this.optional(name) ?? "", parsed.error, trustNobody) : parsed;
  }

  database(name: string, fallbackPath: string): DatabaseConfig {
    const raw = this.optional(name);
    if (raw === undefined) return { kind: "sqlite", path: fallbackPath };
    if (/^postgres(ql)?:\/\//.test(raw)) {
      if (!URL.canParse(raw))
        return this.#fail(name, "(hidden)", "a valid postgres:// URL", { kind: "sqlite", path: fallbackPath });
      return { kind: "postgres", url: raw };
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
      return this.#fail(name, `${raw.split(":")[0]}://…`, "a postgres:// URL or a SQLite file path", {
        kind: "sqlite",
        path: fallbackPath,
      });
    }
    return { kind: "sqlite", path: raw.replace(/^(sqlite|file):/, "") };
  }

  /** A problem that involves more than one variable, reported under `name`. */
  problem(name: string, shown: string, expected: string): void {
    this.#fail(name, shown, expected, undefined);
  }

  #fail<T>(name: string, shown: string, expected: string, fallback: T): T {
    this.problems.push(`${name}=${JSON.stringify(shown)}: expected ${expected}`);
    return fallback;
  }
}

/** Whether the environment asks for traces, by the OpenTelemetry SDK's own variables. */
export function tracingRequested(env: Env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "true";
}
