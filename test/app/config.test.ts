import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/app/config.ts";
import { clientAddress } from "../../src/app/http/client-address.ts";

/** Generated the way the README says: 32 random bytes, base64. */
const strong = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
/** What production needs at least. */
const productionEnv = () => ({
  NODE_ENV: "production",
  AUTH_SECRET: strong(),
  PUBLIC_URL: "https://app.example.com",
  RESEND_API_KEY: "re_123",
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  test("development defaults: port 3000, SQLite under ./data, swagger on, mails kept for /dev/mail", () => {
    const config = loadConfig({ NODE_ENV: "development" });
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: "sqlite", path: "./data/errand.sqlite" });
    expect(config.nodeEnv).toBe("development");
    expect(config.shutdownTimeoutMs).toBe(5000);
    expect(config.shutdownDrainMs).toBe(0);
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.mailTransport).toBe("preview");
    expect(config.swaggerEnabled).toBe(true);
    expect(config.corsOrigins).toEqual([]);
    expect(config.adminToken).toBeUndefined();
    expect(config.mailBatching).toBe(false);
    expect(config.trustProxy).toEqual({ kind: "none" });
  });

  test("without NODE_ENV the app is production, and production lists everything it misses in one error", () => {
    const problems = problemsOf({});
    expect(problems.map((p) => p.split("=")[0]).sort()).toEqual(["AUTH_SECRET", "PUBLIC_URL", "RESEND_API_KEY"]);
    expect(problems.find((p) => p.startsWith("RESEND_API_KEY"))).toContain("MAIL_TRANSPORT=preview");
    const config = loadConfig({ ...productionEnv(), NODE_ENV: "" });
    expect(config.nodeEnv).toBe("production");
    expect(config.swaggerEnabled).toBe(false);
    expect(config.devRoutesEnabled).toBe(false);
    expect(config.mailTransport).toBe("resend");
  });

  test("a postgres:// DATABASE_URL selects PostgreSQL; a path selects SQLite", () => {
    const dev = { NODE_ENV: "development" };
    expect(loadConfig({ ...dev, DATABASE_URL: "postgres://u@127.0.0.1:5432/test" }).database.kind).toBe("postgres");
    expect(loadConfig({ ...dev, DATABASE_URL: "/tmp/x.sqlite" }).database).toEqual({
      kind: "sqlite",
      path: "/tmp/x.sqlite",
    });
  });

  test("PUBLIC_URL defaults to the port outside production; CORS_ORIGINS is a list", () => {
    const config = loadConfig({
      NODE_ENV: "development",
      PORT: "8080",
      CORS_ORIGINS: "https://a.example, https://b.example",
    });
    expect(config.publicUrl).toBe("http://localhost:8080");
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  test("production turns swagger and /dev off unless enabled", () => {
    const config = loadConfig(productionEnv());
    expect(config.swaggerEnabled).toBe(false);
    expect(config.devRoutesEnabled).toBe(false);
    expect(loadConfig({ ...productionEnv(), SWAGGER_ENABLED: "true" }).swaggerEnabled).toBe(true);
  });

  test("mail: MAIL_TRANSPORT=preview is an explicit choice in production; resend needs its key", () => {
    const { RESEND_API_KEY: _key, ...withoutKey } = productionEnv();
    expect(loadConfig({ ...withoutKey, MAIL_TRANSPORT: "preview" }).mailTransport).toBe("preview");
    expect(problemsOf({ ...withoutKey, MAIL_TRANSPORT: "resend" })).toEqual([
      'RESEND_API_KEY="(unset)": expected set when MAIL_TRANSPORT=resend',
    ]);
    expect(problemsOf({ ...withoutKey, MAIL_TRANSPORT: "smtp" })[0]).toStartWith("MAIL_TRANSPORT=");
    // An explicit preview wins over a key: nothing is sent.
    expect(loadConfig({ ...productionEnv(), MAIL_TRANSPORT: "preview" }).mailTransport).toBe("preview");
  });

  test("production mounts /dev/mail (DEV_ROUTES_ENABLED with kept mails) only behind ADMIN_TOKEN", () => {
    const { RESEND_API_KEY: _key, ...withoutKey } = productionEnv();
    const open = { ...withoutKey, MAIL_TRANSPORT: "preview", DEV_ROUTES_ENABLED: "true" };
    expect(problemsOf(open)).toEqual([
      'DEV_ROUTES_ENABLED="true": expected ADMIN_TOKEN set as well in production, to guard /dev/mail',
    ]);
    expect(loadConfig({ ...open, ADMIN_TOKEN: strong() }).devRoutesEnabled).toBe(true);
  });

  test("secrets are judged by estimated entropy, not only length; the value is never echoed", () => {
    const weak = [
      "a".repeat(64),
      "passwordpasswordpassword",
      "admin-token-for-tests-0123456789",
      "abcdefghijklmnopqrstuvwxyz0123456789",
      "correcthorsebatterystaple",
      // 16 random bytes: too few characters to show they are random.
      "Zk3pQ9vT2mX8rL1wYb5nHc",
    ];
    for (const secret of weak) {
      for (const name of ["ADMIN_TOKEN", "METRICS_TOKEN", "AUTH_SECRET"]) {
        const problems = problemsOf({ ...productionEnv(), [name]: secret });
        expect(problems, `${name}=${secret}`).toHaveLength(1);
        expect(problems[0]).toStartWith(`${name}="(hidden)": expected a generated secret of at least 128 bits`);
        expect(problems[0]).not.toContain(secret);
      }
    }
    const generated = [
      strong(),
      Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"),
      Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("hex"),
    ];
    for (const secret of generated) {
      const config = loadConfig({
        ...productionEnv(),
        AUTH_SECRET: secret,
        ADMIN_TOKEN: secret,
        METRICS_TOKEN: secret,
      });
      expect(config.adminToken).toBe(secret);
    }
  });

  test("TRUST_PROXY: nobody by default, a hop count, or IPs and CIDRs", () => {
    const dev = { NODE_ENV: "development" };
    expect(loadConfig({ ...dev, TRUST_PROXY: "2" }).trustProxy).toEqual({ kind: "hops", hops: 2 });
    expect(loadConfig({ ...dev, TRUST_PROXY: "0" }).trustProxy).toEqual({ kind: "none" });
    const cidrs = loadConfig({ ...dev, TRUST_PROXY: "10.0.0.0/8, 127.0.0.1, fd00::/8" }).trustProxy;
    expect(cidrs.kind === "cidrs" && cidrs.cidrs).toEqual(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.0/8/1", "99"]) {
      expect(problemsOf({ ...dev, TRUST_PROXY: bad })[0], bad).toStartWith("TRUST_PROXY=");
    }
  });

  test("one error lists every bad variable", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "http",
        NODE_ENV: "staging",
        LOG_LEVEL: "loud",
        SHUTDOWN_TIMEOUT_MS: "-1",
        SHUTDOWN_DRAIN_MS: "soon",
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
        "SHUTDOWN_DRAIN_MS",
        "DATABASE_URL",
        "PUBLIC_URL",
        "ADMIN_TOKEN",
        "SWAGGER_ENABLED",
        // An unknown NODE_ENV counts as production, which wants these too.
        "AUTH_SECRET",
        "RESEND_API_KEY",
      ]),
    );
    expect(problems).toHaveLength(11);
    expect((error as Error).message).toContain("11 problems");
    // A secret's value is never echoed back.
    expect((error as Error).message).not.toContain("short");
  });
});

describe("the client address behind proxies (TRUST_PROXY)", () => {
  const trust = (raw: string) => {
    const config = loadConfig({ NODE_ENV: "development", TRUST_PROXY: raw });
    return config.trustProxy;
  };

  test("trusting nobody, X-Forwarded-For is ignored", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", trust(""))).toBe("203.0.113.9");
  });

  test("hops: the address the outermost of N proxies saw; a forged prefix does not move it", () => {
    // client 198.51.100.7 forged "1.1.1.1"; the one proxy appended the client's real address.
    expect(clientAddress("10.0.0.2", "1.1.1.1, 198.51.100.7", trust("1"))).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.9", trust("2"))).toBe("198.51.100.7");
    // Fewer entries than hops: the farthest there is.
    expect(clientAddress("10.0.0.2", "198.51.100.7", trust("3"))).toBe("198.51.100.7");
    // Garbage where an address should be names nobody: the socket peer is used.
    expect(clientAddress("10.0.0.2", "not-an-ip", trust("1"))).toBe("10.0.0.2");
  });

  test("CIDRs: the nearest address outside the trusted networks; an untrusted peer's header is ignored", () => {
    const proxies = trust("10.0.0.0/8, fd00::/8");
    expect(clientAddress("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.9", proxies)).toBe("198.51.100.7");
    expect(clientAddress("::ffff:10.0.0.2", "198.51.100.7", proxies)).toBe("198.51.100.7");
    expect(clientAddress("fd00::1", "2001:db8::5", proxies)).toBe("2001:db8::5");
    expect(clientAddress("203.0.113.9", "198.51.100.7", proxies)).toBe("203.0.113.9");
  });
});
