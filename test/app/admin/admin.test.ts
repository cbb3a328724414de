import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { adminIdsAndFilters } from "../support/admin-ids.ts";
import { ADMIN_TOKEN, eventually, METRICS_TOKEN, postJson, startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
let off: TestApp;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  t = await startTestApp({ ADMIN_TOKEN, METRICS_TOKEN });
  off = await startTestApp();
});
afterAll(async () => {
  await t.stop();
  await off.stop();
});

const adminRoutes: [string, string][] = [
  ["GET", "/api/admin/queues"],
  ["GET", "/api/admin/jobs"],
  ["GET", "/api/admin/jobs/1"],
  ["POST", "/api/admin/jobs/1/retry"],
  ["POST", "/api/admin/jobs/1/discard"],
  ["POST", "/api/admin/queues/app.confirmation-mail/retry-dead"],
  ["GET", "/api/admin/crons"],
  ["POST", "/api/admin/crons/token-cleanup/trigger"],
];

/** Registers `email` while the provider refuses mail; returns the dead confirmation job's id. */
async function deadMail(email: string): Promise<string> {
  t.mailProvider.refusing = true;
  const registered = await t.request(
    "/api/users/register",
    postJson({ email, password: "long enough pw", displayName: "D" }),
  );
  const { id: userId } = (await registered.json()) as { id: string };
  const page = await eventually(async () => {
    const dead = await t.runtime.jobs.list({ state: "dead", name: "app.confirmation-mail" });
    return dead.jobs.find((job) => (job.payload as { userId?: string }).userId === userId);
  });
  t.mailProvider.refusing = false;
  return page.id;
}

describe("admin auth", () => {
  test("every admin route is 401 without a token and with a wrong one, with the same body", async () => {
    const bodies = new Set<string>();
    for (const [method, path] of adminRoutes) {
      for (const headers of [
        {},
        { authorization: "Bearer wrong-token-wrong-token" },
        { authorization: ADMIN_TOKEN },
      ] as Record<string, string>[]) {
        const response = await t.request(path, { method, headers });
        expect(response.status, `${method} ${path}`).toBe(401);
        const { requestId: _id, ...body } = (await response.json()) as Record<string, unknown>;
        bodies.add(JSON.stringify(body));
      }
    }
    expect([...bodies]).toEqual([
      JSON.stringify({ error: "unauthorized", message: "Missing or invalid credentials." }),
    ]);
  });

  test("the token is checked before the request is validated: malformed requests without it are 401 too", async () => {
    for (const path of ["/api/admin/jobs/abc", "/api/admin/jobs?state=exploded", "/api/admin/jobs?cursor=x"]) {
      expect((await t.request(path)).status, path).toBe(401);
      expect((await t.request(path, { headers: auth })).status, path).toBe(422);
    }
    expect((await t.request("/api/admin/jobs/abc/retry", { method: "POST" })).status).toBe(401);
  });

  test("the admin API is rate limited per client, failed attempts included: 429 with retry-after", async () => {
    const limited = await startTestApp({ ADMIN_TOKEN, ADMIN_RATE_LIMIT_MAX: "3" }, { start: false });
    try {
      const statuses: number[] = [];
      for (const headers of [{}, { authorization: "Bearer guess" }, auth, auth]) {
        const response = await limited.request("/api/admin/queues", { headers });
        statuses.push(response.status);
        if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([401, 401, 200, 429]);
      // Other routes keep their own windows.
      expect((await limited.request("/health/live")).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  test("without ADMIN_TOKEN configured, admin does not exist (404)", async () => {
    for (const [method, path] of adminRoutes) {
      expect((await off.request(path, { method, headers: auth })).status, `${method} ${path}`).toBe(404);
    }
    expect((await off.request("/admin")).status).toBe(404);
  });
});

describe("admin API", () => {
  test("counts, list with filters and paging, one job with its errors, retry, discard", async () => {
    const id = await deadMail("dead@example.com");
    const counts = (await (await t.request("/api/admin/queues", { headers: auth })).json()) as {
      counts: { name: string; state: string; count: number }[];
    };
    expect(counts.counts).toContainEqual({ name: "app.confirmation-mail", state: "dead", count: 1 });

    const list = (await (await t.request("/api/admin/jobs?state=dead&limit=1", { headers: auth })).json()) as {
      jobs: { id: string }[];
      nextCursor: string | null;
    };
    expect(list.jobs.map((job) => job.id)).toEqual([id]);

    const job = (await (await t.request(`/api/admin/jobs/${id}`, { headers: auth })).json()) as {
      state: string;
      errors: { message: string }[];
      payload: unknown;
    };
    expect(job.state).toBe("dead");
    expect(job.errors.at(-1)!.message).toContain("not verified");
    // A reference to the user and the confirmation, never the address or the link.
    expect(Object.keys(job.payload as object).sort()).toEqual(["confirmationId", "requestId", "userId"]);
    expect(JSON.stringify(job.payload)).not.toContain("dead@example.com");

    const retried = await t.request(`/api/admin/jobs/${id}/retry`, { method: "POST", headers: auth });
    expect(await retried.json()).toEqual({ retried: true });
    await eventually(async () => ((await t.runtime.jobs.get(id))?.state === "succeeded" ? true : undefined));
    expect(t.transport.to("dead@example.com")).toHaveLength(1);

    expect((await t.request(`/api/admin/jobs/${id}/retry`, { method: "POST", headers: auth })).status).toBe(404);
    expect((await t.request(`/api/admin/jobs/${id}/discard`, { method: "POST", headers: auth })).status).toBe(200);
    expect((await t.request(`/api/admin/jobs/${id}`, { headers: auth })).status).toBe(404);
  });

  test("cursor paging walks every job once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const page = (await (await t.request(`/api/admin/jobs?limit=1${query}`, { headers: auth })).json()) as {
        jobs: { id: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.jobs.map((job) => job.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await t.runtime.jobs.list({ limit: 500 })).jobs.length);
  });

  test("retry-all-dead for a name", async () => {
    await deadMail("dead1@example.com");
    await deadMail("dead2@example.com");
    const response = await t.request("/api/admin/queues/app.confirmation-mail/retry-dead", {
      method: "POST",
      headers: auth,
    });
    expect(await response.json()).toEqual({ retried: 2 });
    await eventually(() =>
      t.transport.to("dead2@example.com").length && t.transport.to("dead1@example.com").length ? true : undefined,
    );
  });

  test("crons: list with next run, trigger a manual run", async () => {
    const crons = (await (await t.request("/api/admin/crons", { headers: auth })).json()) as {
      crons: { name: string; nextRunAt: string }[];
    };
    expect(crons.crons.map((c) => c.name)).toEqual(["token-cleanup", "prune-succeeded-jobs"]);
    expect(Date.parse(crons.crons[0]!.nextRunAt)).toBeGreaterThan(Date.now());
    const triggered = (await (
      await t.request("/api/admin/crons/token-cleanup/trigger", { method: "POST", headers: auth })
    ).json()) as { jobId: string };
    await eventually(async () =>
      (await t.runtime.jobs.get(triggered.jobId))?.state === "succeeded" ? true : undefined,
    );
    expect((await t.request("/api/admin/crons/nope/trigger", { method: "POST", headers: auth })).status).toBe(404);
  });

  test("invalid ids and filters are 422, not 500; ids past the 64-bit range name no job (404)", async () => {
    await adminIdsAndFilters(t);
  });
});

describe("metrics", () => {
  test("Prometheus text with request durations and Errand's job metrics; needs METRICS_TOKEN or ADMIN_TOKEN", async () => {
    const refused = await t.request("/metrics");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toStartWith("application/json");
    const response = await t.request("/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/users\/register",status="201"\} \d+/,
    );
    const mail = 'name="app.confirmation-mail",queue="default"';
    expect(text).toMatch(/errand_jobs\{state="succeeded",name="app.confirmation-mail"\} [1-9]/);
    expect(text).toMatch(new RegExp(`errand_jobs_enqueued_total\\{${mail}\\} [1-9]`));
    expect(text).toMatch(new RegExp(`errand_jobs_started_total\\{${mail}\\} [1-9]`));
    expect(text).toMatch(new RegExp(`errand_jobs_completed_total\\{${mail},outcome="succeeded"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`errand_jobs_completed_total\\{${mail},outcome="dead"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`errand_job_duration_seconds_count\\{${mail}\\} [1-9]`));
    expect(text).toMatch(new RegExp(`errand_job_wait_seconds_count\\{${mail}\\} [1-9]`));
    expect(text).toMatch(/errand_mail_sent_total\{template="confirmation",outcome="sent"\} [1-9]/);
    expect(text).toContain('errand_channel_depth{channel="jobs"}');
    expect(text).toContain("errand_cron_runs_total");
    expect(text).toContain("errand_cron_last_run_timestamp_seconds");
    expect((await t.request("/metrics", { headers: auth })).status).toBe(200);
    expect((await off.request("/metrics")).status).toBe(200);
  });

  test("while the store cannot be read, the scrape still answers, without the store's series", async () => {
    const fresh = await startTestApp();
    try {
      const refused = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
      Object.assign(fresh.runtime.jobs, { counts: refused });
      Object.assign(fresh.runtime.crons, { list: refused });
      const response = await fresh.request("/metrics");
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain("errand_store_up 0");
      expect(text).not.toMatch(/^errand_jobs\{/m);
      expect(text).toContain("errand_app_process_cpu_seconds_total");
      expect(text).toContain("errand_jobs_enqueued_total");
      expect(fresh.logs.some((line) => line.includes("errand_jobs left out of the scrape"))).toBe(true);
    } finally {
      await fresh.stop();
    }
  });
});

describe("dashboard", () => {
  const form = (body: string, headers: Record<string, string> = {}) => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost", ...headers },
    body,
  });

  test("sign-in opens a real session (HttpOnly, SameSite=Strict) that sign-out revokes", async () => {
    const anonymous = await t.request("/admin");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toStartWith("/admin/login");
    expect((await t.request("/admin/login", form("token=wrong"))).status).toBe(401);
    const login = await t.request("/admin/login", form(`token=${ADMIN_TOKEN}`));
    expect(login.status).toBe(303);
    const setCookie = login.headers.get("set-cookie")!;
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    const cookie = setCookie.split(";")[0]!;
    const page = await t.request("/admin", { headers: { cookie } });
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await page.text()).toContain("app.confirmation-mail");
    const crons = await (await t.request("/admin/crons", { headers: { cookie } })).text();
    expect(crons).toContain("token-cleanup");
    const csrf = crons.match(/name="_csrf" value="([^"]+)"/)![1]!;
    expect((await t.request("/admin/logout", form(`_csrf=${csrf}`, { cookie }))).status).toBe(303);
    expect((await t.request("/admin", { headers: { cookie } })).status).toBe(303);
  });

  test("a POST from another origin is refused even with the session", async () => {
    const login = await t.request("/admin/login", form(`token=${ADMIN_TOKEN}`));
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const page = await (await t.request("/admin/crons", { headers: { cookie } })).text();
    const csrf = page.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const refused = await t.request(
      "/admin/crons/token-cleanup/trigger",
      form(`_csrf=${csrf}`, { cookie, origin: "https://evil.example" }),
    );
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toStartWith("text/html");
  });

  test("job payloads and errors are escaped in the pages", async () => {
    t.mailProvider.refusing = true;
    await t.request(
      "/api/users/register",
      postJson({ email: "xss@example.com", password: "long enough pw", displayName: "<script>alert(1)</script>" }),
    );
    const dead = await eventually(async () => (await t.runtime.jobs.list({ state: "dead" })).jobs[0]);
    t.mailProvider.refusing = false;
    for (const path of ["/admin/jobs?state=dead", `/admin/jobs/${dead.id}`]) {
      const html = await (await t.request(path, { headers: auth })).text();
      expect(html).toContain(dead.id);
      expect(html).not.toContain("<script>alert(1)</script>");
    }
  });
});
