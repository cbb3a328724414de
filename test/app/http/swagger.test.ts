// The docs page and what it says about /metrics.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, METRICS_TOKEN, startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ ADMIN_TOKEN, METRICS_TOKEN });
});
afterAll(async () => {
  await t.stop();
});

describe("swagger", () => {
  test("/swagger/ redirects to /swagger, whose relative spec URL then resolves to /swagger/json", async () => {
    const response = await t.request("/swagger/");
    expect(response.status).toBe(308);
    expect(response.headers.get("location")).toBe("/swagger");
    const page = await (await t.request("/swagger")).text();
    const spec = page.match(/url: '([^']+)'/)?.[1] ?? page.match(/"url":\s*"([^"]+)"/)?.[1];
    expect(spec).toBeDefined();
    expect(new URL(spec!, "http://localhost/swagger").pathname).toBe("/swagger/json");
    expect((await t.request(new URL(spec!, "http://localhost/swagger").pathname)).status).toBe(200);
  });

  test("GET /metrics is documented with bearer security, a text/plain 200 and a 401", async () => {
    const spec = (await (await t.request("/swagger/json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown; responses?: Record<string, { content?: object }> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const operation = spec.paths["/metrics"]!.get!;
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(operation.responses!["200"]!.content!)).toEqual(["text/plain"]);
    expect(JSON.stringify(operation.responses!["401"])).toContain('"requestId"');
    expect(JSON.stringify(operation)).not.toContain("$ref");
    expect(spec.components.securitySchemes.bearer).toBeDefined();
  });
});
