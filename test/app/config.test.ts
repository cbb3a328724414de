import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/app/config.ts";

describe("loadConfig", () => {
  test("defaults: port 3000, SQLite under ./data, development, swagger on", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: "sqlite", path: "./data/errand.sqlite" });
    expect(config.nodeEnv).toBe("development");
    expect(config.shutdownTimeoutMs).toBe(5000);
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.swaggerEnabled).toBe(true);
    expect(config.corsOrigins).toEqual([]);
    expect(config.adminToken).toBeUndefined();
    expect(config.mailBatching).toBe(false);
  });

  test("a postgres:// DATABASE_URL selects PostgreSQL; a path selects SQLite", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@127.0.0.1:5432/test" }).database.kind).toBe("postgres");
    expect(loadConfig({ DATABASE_URL: "/tmp/x.sqlite" }).database).toEqual({ kind: "sqlite", path: "/tmp/x.sqlite" });
  });

  test("PUBLIC_URL defaults to the port; CORS_ORIGINS is a list", () => {
    const config = loadConfig({ PORT: "8080", CORS_ORIGINS: "https://a.example, https://b.example" });
    expect(config.publicUrl).toBe("http://localhost:8080");
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  test("production turns swagger and /dev off unless enabled, and requires AUTH_SECRET", () => {
    const secret = "s".repeat(32);
    const config = loadConfig({ NODE_ENV: "production", AUTH_SECRET: secret });
    expect(config.swaggerEnabled).toBe(false);
    expect(config.devRoutesEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", AUTH_SECRET: secret, SWAGGER_ENABLED: "true" }).swaggerEnabled).toBe(
      true,
    );
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/AUTH_SECRET/);
  });

  test("one error lists every bad variable", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "http",
        NODE_ENV: "staging",
        LOG_LEVEL: "loud",
        SHUTDOWN_TIMEOUT_MS: "-1",
        DATABASE_URL: "mysql://x",
        PUBLIC_URL: "not a url",
        ADMIN_TOKEN: "short",
        SWAGGER_ENABLED: "maybe",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    const names = problems.map((p) => p.split("=")[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        "PORT",
        "NODE_ENV",
        "LOG_LEVEL",
        "SHUTDOWN_TIMEOUT_MS",
        "DATABASE_URL",
        "PUBLIC_URL",
        "ADMIN_TOKEN",
        "SWAGGER_ENABLED",
      ]),
    );
    expect(problems).toHaveLength(8);
    expect((error as Error).message).toContain("8 problems");
    // A secret's value is never echoed back.
    expect((error as Error).message).not.toContain("short");
  });
});
