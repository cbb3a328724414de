import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, eventually, generatedSecret, postJson, startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
let production: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  production = await startTestApp({
    NODE_ENV: "production",
    AUTH_SECRET: generatedSecret(),
    PUBLIC_URL: "https://app.example.com",
    MAIL_TRANSPORT: "preview",
  });
  for (const { app } of [t, production]) {
    app.get("/test/boom", () => {
      throw new Error("database password is hunter2");
    });
  }
});
afterAll(async () => {
  await t.stop();
  await production.stop();
});

async function body(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get("content-type")).toContain("application/json");
  return (await response.json()) as Record<string, unknown>;
}

describe("bad-request shapes", () => {
  test("malformed JSON is a 400 invalid_json", async () => {
    const response = await t.request("/api/users/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email":',
    });
    expect(response.status).toBe(400);
    expect(await body(response)).toMatchObject({ error: "invalid_json", requestId: expect.any(String) });
  });

  test("a schema failure is a 422 listing each field and why", async () => {
    const response = await t.request("/api/users/register", postJson({ email: "not-an-email", password: "short" }));
    expect(response.status).toBe(422);
    const json = await body(response);
    expect(json.error).toBe("validation_failed");
    const fields = json.fields as { field: string; in: string; message: string }[];
    expect(fields.map((f) => f.field).sort()).toEqual(["displayName", "email", "password"]);
    for (const field of fields) {
      expect(field.in).toBe("body");
      expect(field.message.length).toBeGreaterThan(0);
    }
  });

  test("an unknown route is a JSON 404", async () => {
    const response = await t.request("/api/nothing-here");
    expect(response.status).toBe(404);
    expect(await body(response)).toMatchObject({ error: "not_found", message: "No route for GET /api/nothing-here." });
  });

  test("a known path with another method is a JSON 405 with Allow; OPTIONS too", async () => {
    for (const [method, path, allow] of [
      // GET too: /api/users/:id takes "register" as an id.
      ["DELETE", "/api/users/register", "GET, POST"],
      ["PUT", "/api/users/me", "GET"],
      ["OPTIONS", "/api/auth/token", "POST"],
    ] as const) {
      const response = await t.request(path, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
      expect(await body(response)).toMatchObject({
        error: "method_not_allowed",
        message: `${path} does not answer ${method}; it answers ${allow}.`,
      });
    }
    // A path no route has stays a 404, whatever the method.
    expect((await t.request("/api/users/me/extra", { method: "DELETE" })).status).toBe(404);
  });

  test("a thrown error is a 500 with the request id; the detail only outside production", async () => {
    const dev = await t.request("/test/boom", { headers: { "x-request-id": "req-123" } });
    expect(dev.status).toBe(500);
    expect(dev.headers.get("x-request-id")).toBe("req-123");
    expect(await body(dev)).toMatchObject({
      error: "internal_error",
      requestId: "req-123",
      detail: "database password is hunter2",
    });

    const prod = await production.request("/test/boom");
    expect(prod.status).toBe(500);
    const json = await body(prod);
    expect(json).toMatchObject({ error: "internal_error", requestId: prod.headers.get("x-request-id")! });
    expect(JSON.stringify(json)).not.toContain("hunter2");
    expect(json.stack).toBeUndefined();
    // The error is logged with the request id, for whoever gets the id from the user.
    expect(production.logs.some((l) => l.includes("unhandled error") && l.includes(json.requestId as string))).toBe(
      true,
    );
  });

  test("a body over the limit is a 413", async () => {
    const big = JSON.stringify({ email: "a@example.com", password: "x".repeat(100_000), displayName: "A" });
    const response = await t.request("/api/users/register", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length) },
      body: big,
    });
    expect(response.status).toBe(413);
    expect(await body(response)).toMatchObject({ error: "payload_too_large" });
  });

  test("a non-JSON content type is a 415", async () => {
    const response = await t.request("/api/users/register", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(response.status).toBe(415);
    expect(await body(response)).toMatchObject({ error: "unsupported_media_type" });
  });

  test("an unacceptable x-request-id is replaced by a generated one", async () => {
    const response = await t.request("/health/live", { headers: { "x-request-id": "bad id <script>" } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("health and docs", () => {
  test("/health/live and /health/ready answer 200 on a started host", async () => {
    expect((await t.request("/health/live")).status).toBe(200);
    const ready = await t.request("/health/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", state: "started" });
  });

  test("/health/ready is 503 with reasons before start and after stop", async () => {
    const fresh = await startTestApp({}, { start: false });
    try {
      const before = await fresh.request("/health/ready");
      expect(before.status).toBe(503);
      expect(await before.json()).toMatchObject({ status: "not_ready", reasons: ["host is created"] });
      await fresh.app.decorator.host.start();
      expect((await fresh.request("/health/ready")).status).toBe(200);
      await fresh.app.decorator.host.stop();
      const after = await fresh.request("/health/ready");
      expect(after.status).toBe(503);
      expect(await after.json()).toMatchObject({ state: "stopped" });
    } finally {
      await fresh.stop();
    }
  });

  test("the spec documents every API route with its schemas", async () => {
    const spec = (await (await t.request("/swagger/json")).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>>;
    };
    const expected = [
      ["/api/users/register", "post"],
      ["/api/users/confirm", "post"],
      ["/api/users/resend-confirmation", "post"],
      ["/api/users/me", "get"],
      ["/api/auth/token", "post"],
      ["/api/auth/refresh", "post"],
      ["/api/auth/logout", "post"],
      ["/health/live", "get"],
      ["/health/ready", "get"],
    ] as const;
    for (const [path, method] of expected) {
      const operation = spec.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation!.responses ?? {}).length).toBeGreaterThan(0);
    }
    expect(spec.paths["/api/users/register"]!.post!.requestBody).toBeDefined();
  });

  test("every JSON body is documented as application/json with its schema's properties", async () => {
    type Operation = { requestBody?: { content: Record<string, { schema?: { properties?: object } }> } };
    const spec = (await (await t.request("/swagger/json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const bodies = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.requestBody)
        .map(([method, operation]) => ({
          route: `${method} ${path}`,
          types: Object.keys(operation.requestBody!.content),
          properties: Object.keys(operation.requestBody!.content["application/json"]?.schema?.properties ?? {}),
        })),
    );
    expect(bodies.map((body) => body.route).sort()).toEqual([
      "post /api/auth/logout",
      "post /api/auth/refresh",
      "post /api/auth/token",
      "post /api/users/confirm",
      "post /api/users/register",
      "post /api/users/resend-confirmation",
    ]);
    for (const body of bodies) {
      expect(body.types, body.route).toEqual(["application/json"]);
      expect(body.properties.length, body.route).toBeGreaterThan(0);
    }
    expect(bodies.find((body) => body.route === "post /api/users/register")!.properties).toEqual([
      "email",
      "password",
      "displayName",
    ]);
  });

  test("the admin tag is listed only when the admin API is mounted", async () => {
    const tags = async (app: TestApp) =>
      ((await (await app.request("/swagger/json")).json()) as { tags: { name: string }[] }).tags.map((tag) => tag.name);
    expect(await tags(t)).toEqual(["users", "auth", "operations"]);
    const admin = await startTestApp({ ADMIN_TOKEN }, { start: false });
    try {
      expect(await tags(admin)).toEqual(["users", "auth", "admin", "operations"]);
    } finally {
      await admin.stop();
    }
  });

  test("GET / points a first run at the docs and the mail preview; production has no such page", async () => {
    const fresh = await startTestApp({ NODE_ENV: "development" }, { start: false, previewMail: true });
    try {
      const home = await fresh.request("/");
      expect(home.status).toBe(200);
      expect(await home.json()).toEqual({
        name: "Errand reference API",
        links: { docs: "/swagger", mail: "/dev/mail", health: "/health/ready" },
      });
      expect((await fresh.request("/dev/mail")).status).toBe(200);
    } finally {
      await fresh.stop();
    }
    // Mails that really go out have no preview page to point to.
    expect(await (await t.request("/")).json()).toMatchObject({ links: { docs: "/swagger" } });
    expect((await t.request("/dev/mail")).status).toBe(404);
    expect((await production.request("/")).status).toBe(404);
  });

  test("with ADMIN_TOKEN set, /dev/mail asks for it (Basic for browsers, or bearer) before showing any mail", async () => {
    const guarded = await startTestApp({ NODE_ENV: "development", ADMIN_TOKEN }, { previewMail: true });
    try {
      const registered = await guarded.request(
        "/api/users/register",
        postJson({
          email: "guarded@example.com",
          password: "long enough pw",
          displayName: "<script>alert(1)</script>",
        }),
      );
      expect(registered.status).toBe(201);
      // Each path with one wrong credential: fewer than the 10 wrong tokens that lock a client out.
      const wrong = [undefined, "Bearer wrong", `Basic ${btoa("admin:wrong")}`, ADMIN_TOKEN];
      for (const [i, path] of [
        "/dev/mail",
        "/dev/mail/1",
        "/dev/mail/1/html",
        "/dev/mail/1/text",
        "/dev/mail/x",
      ].entries()) {
        for (const authorization of [wrong[i % wrong.length]]) {
          const response = await guarded.request(path, authorization ? { headers: { authorization } } : {});
          expect(response.status, `${path} ${authorization}`).toBe(401);
          expect(response.headers.get("www-authenticate")).toStartWith("Basic realm=");
          expect(await response.json()).toMatchObject({ error: "unauthorized" });
        }
      }
      const basic = { authorization: `Basic ${btoa(`anyone:${ADMIN_TOKEN}`)}` };
      const list = await eventually(async () => {
        const html = await (await guarded.request("/dev/mail", { headers: basic })).text();
        return html.includes("guarded@example.com") ? html : undefined;
      });
      expect(list).not.toContain("<script>alert(1)</script>");
      expect((await guarded.request("/dev/mail", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(
        200,
      );
    } finally {
      await guarded.stop();
    }
  });

  test("NODE_ENV unset is production: no Swagger, no /dev, no home page, 500s without stack or file paths", async () => {
    const unset = await startTestApp(
      {
        NODE_ENV: "",
        AUTH_SECRET: generatedSecret(),
        PUBLIC_URL: "https://app.example.com",
        MAIL_TRANSPORT: "preview",
      },
      { previewMail: true },
    );
    try {
      unset.app.get("/test/boom", () => {
        throw new Error(`cannot open ${import.meta.path}`);
      });
      for (const path of ["/swagger", "/swagger/json", "/dev/mail", "/"]) {
        expect((await unset.request(path)).status, path).toBe(404);
      }
      const boom = await unset.request("/test/boom");
      expect(boom.status).toBe(500);
      const json = (await boom.json()) as Record<string, unknown>;
      expect(Object.keys(json).sort()).toEqual(["error", "message", "requestId"]);
      expect(JSON.stringify(json)).not.toContain(".ts");
      expect(JSON.stringify(json)).not.toContain("/");
    } finally {
      await unset.stop();
    }
  });

  test("Swagger UI loads its assets from this server, not a CDN", async () => {
    const page = await (await t.request("/swagger")).text();
    expect(page).toContain('src="/swagger/assets/swagger-ui-bundle.js"');
    expect(page).not.toContain("unpkg.com");
    const script = await t.request("/swagger/assets/swagger-ui-bundle.js");
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });

  test("production turns Swagger off", async () => {
    expect((await production.request("/swagger")).status).toBe(404);
    expect((await production.request("/swagger/json")).status).toBe(404);
  });
});

describe("limits and CORS", () => {
  test("register, token and resend are rate limited per IP: 429 with retry-after", async () => {
    const limited = await startTestApp({ RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_MS: "60000" });
    try {
      for (const path of ["/api/auth/token", "/api/users/resend-confirmation"]) {
        const statuses: number[] = [];
        let last: Response | undefined;
        for (let i = 0; i < 3; i++) {
          last = await limited.request(path, postJson({ email: "x@example.com", password: "whatever pw" }));
          statuses.push(last.status);
        }
        expect(statuses[2], path).toBe(429);
        expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(await body(last!)).toMatchObject({ error: "rate_limited" });
      }
      // Other routes are not limited.
      for (let i = 0; i < 5; i++) expect((await limited.request("/health/live")).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  test("rate limits behind a proxy: X-Forwarded-For names the client only when the peer is trusted (TRUST_PROXY)", async () => {
    const statuses = async (app: TestApp, clients: string[]) => {
      app.app.listen({ port: 0, hostname: "127.0.0.1" });
      const url = `http://127.0.0.1:${app.app.server!.port}/api/users/resend-confirmation`;
      const out: number[] = [];
      for (const client of clients) {
        const response = await fetch(url, postJson({ email: "x@example.com" }, { "x-forwarded-for": client }));
        out.push(response.status);
      }
      await app.app.stop();
      return out;
    };
    const proxied = await startTestApp({ RATE_LIMIT_MAX: "2", TRUST_PROXY: "127.0.0.1/32" }, { start: false });
    const direct = await startTestApp({ RATE_LIMIT_MAX: "2" }, { start: false });
    try {
      // Through the trusted proxy each client has its own window.
      expect(await statuses(proxied, ["198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2"])).toEqual([
        202, 202, 429, 202,
      ]);
      // From an untrusted peer the header is the client's own claim: ignored, one window for the peer.
      expect(await statuses(direct, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])).toEqual([202, 202, 429]);
    } finally {
      await proxied.stop();
      await direct.stop();
    }
  });

  test("dashboard sign-in behind a trusted proxy: wrong tokens lock out their client only", async () => {
    const app = await startTestApp({ ADMIN_TOKEN, TRUST_PROXY: "127.0.0.1/32" }, { start: false });
    try {
      app.app.listen({ port: 0, hostname: "127.0.0.1" });
      const origin = `http://127.0.0.1:${app.app.server!.port}`;
      const login = (client: string, token: string) =>
        fetch(`${origin}/admin/login`, {
          method: "POST",
          redirect: "manual",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            origin,
            "x-forwarded-for": client,
          },
          body: `token=${encodeURIComponent(token)}`,
        });
      for (let i = 0; i < 10; i++) expect((await login("198.51.100.7", "wrong")).status).toBe(401);
      expect((await login("198.51.100.7", ADMIN_TOKEN)).status).toBe(429);
      // Another operator behind the same proxy still signs in.
      expect((await login("198.51.100.8", ADMIN_TOKEN)).status).toBe(303);
    } finally {
      await app.stop();
    }
  });

  test("CORS is off by default and answers only configured origins", async () => {
    const plain = await t.request("/health/live", { headers: { origin: "https://evil.example" } });
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    const withCors = await startTestApp({ CORS_ORIGINS: "https://app.example" });
    try {
      const allowed = await withCors.request("/api/users/me", {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "GET" },
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
      const other = await withCors.request("/health/live", { headers: { origin: "https://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await withCors.stop();
    }
  });
});
