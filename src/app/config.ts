/**
 * The app's configuration, read once from the environment at start. Every variable is checked before
 * the app does anything, and all problems are reported together, so a misconfigured deployment fails
 * with one message that names each bad variable instead of one per restart.
 */
export type NodeEnv = "development" | "production" | "test";
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
export type DatabaseConfig = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

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
  publicUrl: string;
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
  /** Per IP, per route group (register, token, resend-confirmation), per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Secret that signs access tokens (HMAC-SHA256). */
  authSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
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
  const nodeEnv = read.oneOf("NODE_ENV", NODE_ENVS, "development");
  const port = read.integer("PORT", 3000, 0, 65535);
  const production = nodeEnv === "production";
  const config: AppConfig = {
    port,
    hostname: read.string("HOST", "0.0.0.0"),
    database: read.database("DATABASE_URL", "./data/errand.sqlite"),
    databaseSchema: read.identifier("DATABASE_SCHEMA", "public"),
    jobsSchema: read.identifier("JOBS_SCHEMA", "errand"),
    nodeEnv,
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, production ? "info" : "debug"),
    shutdownTimeoutMs: read.integer("SHUTDOWN_TIMEOUT_MS", 5000, 0, 600_000),
    publicUrl: read.url("PUBLIC_URL", `http://localhost:${port}`).replace(/\/+$/, ""),
    resendApiKey: read.optional("RESEND_API_KEY"),
    resendBaseUrl: read.optionalUrl("RESEND_BASE_URL"),
    mailFrom: read.string("MAIL_FROM", "Errand <onboarding@resend.dev>"),
    mailBatching: read.boolean("MAIL_BATCHING", false),
    adminToken: read.secret("ADMIN_TOKEN"),
    metricsToken: read.secret("METRICS_TOKEN"),
    tracing: tracingRequested(env),
    corsOrigins: read.list("CORS_ORIGINS"),
    bodyLimitBytes: read.integer("BODY_LIMIT_BYTES", 64 * 1024, 1024, 100 * 1024 * 1024),
    rateLimitMax: read.integer("RATE_LIMIT_MAX", 20, 1, 1_000_000),
    rateLimitWindowMs: read.integer("RATE_LIMIT_WINDOW_MS", 60_000, 1000, 86_400_000),
    authSecret: read.authSecret("AUTH_SECRET", production),
    accessTokenTtlSeconds: read.integer("ACCESS_TOKEN_TTL_SECONDS", 15 * 60, 10, 86_400),
    refreshTokenTtlSeconds: read.integer("REFRESH_TOKEN_TTL_SECONDS", 30 * 86_400, 60, 365 * 86_400),
    confirmTokenTtlSeconds: read.integer("CONFIRM_TOKEN_TTL_SECONDS", 24 * 3600, 60, 30 * 86_400),
    resendConfirmationIntervalMs: read.integer("RESEND_CONFIRMATION_INTERVAL_MS", 60_000, 0, 86_400_000),
    succeededJobRetentionHours: read.integer("SUCCEEDED_JOB_RETENTION_HOURS", 7 * 24, 1, 365 * 24),
    swaggerEnabled: read.boolean("SWAGGER_ENABLED", !production),
    devRoutesEnabled: read.boolean("DEV_ROUTES_ENABLED", !production),
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

  /** Tokens guard admin and metrics: a short one is a mistake worth refusing to start over. */
  secret(name: string): string | undefined {
    const raw = this.optional(name);
    if (raw !== undefined && raw.length < 16) return this.#fail(name, "(hidden)", "at least 16 characters", undefined);
    return raw;
  }

  authSecret(name: string, required: boolean): string {
    const raw = this.secret(name);
    if (raw) return raw;
    if (required) return this.#fail(name, "(unset)", "set in production (at least 16 characters)", "");
    // Outside production a per-process random secret is enough: tokens just end with the process.
    return crypto.randomUUID() + crypto.randomUUID();
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
