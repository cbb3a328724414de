import { afterEach, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { dashboard, tokenAuth } from "../../src/dashboard/index.ts";
import { type JobStatsView, silentLogger } from "../../src/index.ts";
import { createDemo, DEMO_TOKEN, type Demo, seedDead, syncInvoices, webhook } from "./support/demo.ts";

const origin = "http://localhost";
let demo: Demo;

afterEach(() => {
  demo = undefined as unknown as Demo;
});

function setup(): Demo {
  demo = createDemo();
  return demo;
}

const bearerHeaders = { authorization: `Bearer ${DEMO_TOKEN}` };

async function get(path: string, headers: Record<string, string> = bearerHeaders) {
  const res = await demo.app.handle(new Request(`${origin}${path}`, { headers }));
  return { res, text: await res.text() };
}

async function post(path: string, fields: Record<string, string>, headers: Record<string, string> = bearerHeaders) {
  const res = await demo.app.handle(
    new Request(`${origin}${path}`, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    }),
  );
  return { res, text: await res.text() };
}

/** Signs in through the form; returns the session cookie and the CSRF token of its pages. */
async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const { res } = await post("/admin/login", { token: DEMO_TOKEN }, { origin });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get("set-cookie")!;
  const cookie = setCookie.split(";")[0]!;
  const page = await get("/admin/jobs", { cookie });
  const csrf = page.text.match(/name="_csrf" value="([^"]+)"/)?.[1];
  expect(csrf).toBeDefined();
  return { cookie, csrf: csrf! };
}

describe("signing in", () => {
  test("pages redirect to the sign-in form; a wrong token is refused; the right one opens a session", async () => {
    setup();
    const anonymous = await get("/admin/jobs?state=dead", {});
    expect(anonymous.res.status).toBe(303);
    expect(anonymous.res.headers.get("location")).toBe("/admin/login?next=%2Fadmin%2Fjobs%3Fstate%3Ddead");
    const form = await get("/admin/login", {});
    expect(form.res.status).toBe(200);
    expect(form.res.headers.get("x-errand-page")).toBe("login");
    expect(form.text).toContain('name="token"');

    const wrong = await post("/admin/login", { token: "not the token at all" }, { origin });
    expect(wrong.res.status).toBe(401);
    expect(wrong.text).toContain("That token is not valid.");
    expect(wrong.res.headers.get("set-cookie")).toBeNull();

    const right = await demo.app.handle(
      new Request(`${origin}/admin/login?next=${encodeURIComponent("/admin/jobs?state=dead")}`, {
        method: "POST",
        body: new URLSearchParams({ token: DEMO_TOKEN }),
        headers: { "content-type": "application/x-www-form-urlencoded", origin },
      }),
    );
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/admin/jobs?state=dead");
    const setCookie = right.headers.get("set-cookie")!;
    expect(setCookie).toMatch(
      /^errand_session=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );
    // The cookie is a random session id, not derived from the token.
    expect(setCookie).not.toContain(DEMO_TOKEN);
    const cookie = setCookie.split(";")[0]!;
    expect((await get("/admin/", { cookie })).res.status).toBe(200);
  });

  test("the next page after sign-in stays inside the dashboard", async () => {
    setup();
    for (const next of ["https://evil.example/", "//evil.example/admin", "/elsewhere"]) {
      const res = await demo.app.handle(
        new Request(`${origin}/admin/login?next=${encodeURIComponent(next)}`, {
          method: "POST",
          body: new URLSearchParams({ token: DEMO_TOKEN }),
          headers: { "content-type": "application/x-www-form-urlencoded", origin },
        }),
      );
      expect(res.headers.get("location")).toBe("/admin/");
    }
  });

  test("sign-out revokes the session: the same cookie no longer works", async () => {
    setup();
    const { cookie, csrf } = await signIn();
    const out = await post("/admin/logout", { _csrf: csrf }, { cookie, origin });
    expect(out.res.status).toBe(303);
    expect(out.res.headers.get("location")).toBe("/admin/login");
    expect(out.res.headers.get("set-cookie")).toContain("Max-Age=0");
    const after = await get("/admin/", { cookie });
    expect(after.res.status).toBe(303);
    expect(after.res.headers.get("location")).toStartWith("/admin/login");
  });

  test("wrong tokens are limited per client: after 10, even the right one waits (429)", async () => {
    setup();
    for (let i = 0; i < 10; i++)
      expect((await post("/admin/login", { token: `guess-${i}-xxxxxxxxxxxx` }, { origin })).res.status).toBe(401);
    const limited = await post("/admin/login", { token: DEMO_TOKEN }, { origin });
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers.get("retry-after"))).toBeGreaterThan(0);
    // Wrong bearer tokens count against the same client, and are refused as well.
    const bearer = await get("/admin/", { authorization: `Bearer ${DEMO_TOKEN}` });
    expect(bearer.res.status).toBe(429);
  });

  test("a wrong bearer token is 401 on every route; the right one works without a session", async () => {
    setup();
    for (const path of ["/admin/", "/admin/jobs", "/admin/jobs/1", "/admin/queues", "/admin/crons"]) {
      const wrong = await get(path, { authorization: "Bearer nope-nope-nope-nope" });
      expect(wrong.res.status).toBe(401);
      expect(wrong.res.headers.get("www-authenticate")).toBe('Bearer realm="errand"');
    }
    const ids = await seedDead(demo.store, 1);
    for (const path of ["/admin/", "/admin/jobs", `/admin/jobs/${ids[0]}`, "/admin/queues", "/admin/crons"])
      expect((await get(path)).res.status).toBe(200);
  });

  test("a token shorter than 16 characters is refused at setup", () => {
    expect(() => tokenAuth({ token: "short" })).toThrow(TypeError);
  });
});

describe("pages", () => {
  test("every page carries a strict Content-Security-Policy and no-store", async () => {
    setup();
    const ids = await seedDead(demo.store, 1);
    for (const path of [
      "/admin/",
      "/admin/jobs",
      `/admin/jobs/${ids[0]}`,
      "/admin/queues",
      "/admin/crons",
      "/admin/login",
      "/admin/nope",
    ]) {
      const { res } = await get(path);
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  test("the app's looser CSP does not reach the dashboard's responses", async () => {
    const { jobs } = createDemo();
    const app = new Elysia()
      .onRequest(({ set }) => {
        set.headers["content-security-policy"] = "default-src *; script-src 'unsafe-inline'";
      })
      .use(dashboard({ jobs, authorize: () => true, logger: silentLogger }));
    const res = await app.handle(new Request(`${origin}/admin/`));
    expect(res.headers.get("content-security-policy")).toStartWith("default-src 'none'");
  });

  test("a payload, key and error made of HTML show as text", async () => {
    setup();
    const evil = `<img src=x onerror="alert(1)"><script>alert(2)</script>`;
    const [id] = await seedDead(demo.store, 1, { to: [evil], html: evil });
    const job = await get(`/admin/jobs/${id}`);
    expect(job.res.status).toBe(200);
    expect(job.text).not.toContain("<img src=x");
    expect(job.text).not.toContain("<script>alert");
    expect(job.text).toContain("&lt;img src=x onerror=\\&quot;alert(1)\\&quot;&gt;");
    const [keyed] = await demo.jobs.enqueueMany((await import("./support/demo.ts")).webhook, [
      { payload: { url: "u", event: "e", body: null }, key: evil },
    ]);
    const list = await get(`/admin/jobs?q=${encodeURIComponent(evil)}`);
    expect(list.text).toContain(`data-job-id="${keyed}"`);
    expect(list.text).not.toContain("<img src=x");
    expect(list.text).toContain('value="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;');
  });

  test("unknown, malformed and out-of-range job ids are 404 pages", async () => {
    setup();
    for (const id of ["12345", "abc", "1e3", "9999999999999999999", "-1"]) {
      const { res, text } = await get(`/admin/jobs/${id}`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(text).toContain("Not found");
    }
    expect((await post("/admin/jobs/99999/retry", {})).res.status).toBe(404);
    expect((await get("/admin/no/such/page")).res.status).toBe(404);
    expect((await post("/admin/crons/nope/trigger", {})).res.status).toBe(404);
  });

  test("an error inside the dashboard is a plain 500 page: no message, no stack", async () => {
    const { jobs } = createDemo();
    const failing = Object.assign(Object.create(jobs), {
      stats: async (): Promise<JobStatsView> => {
        throw new Error("connect ECONNREFUSED /srv/secret/path.sock");
      },
    });
    const app = new Elysia().use(dashboard({ jobs: failing, authorize: () => true, logger: silentLogger }));
    const res = await app.handle(new Request(`${origin}/admin/`));
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).toContain("Something went wrong");
    expect(text).not.toContain("ECONNREFUSED");
    expect(text).not.toContain("secret");
    expect(text).not.toContain(".ts:");
  });

  test("assets are served from the plugin with long caching; unknown ones are 404", async () => {
    setup();
    const page = await get("/admin/");
    const [css, js] = [...page.text.matchAll(/(?:href|src)="(\/admin\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    const style = await get(css!, {});
    expect(style.res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(style.res.headers.get("cache-control")).toContain("immutable");
    const script = await get(js!, {});
    expect(script.res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.text).toContain("data-live");
    expect((await get("/admin/assets/evil.js", {})).res.status).toBe(404);
  });

  test("jobs: cursor paging, filters by state, name and queue, search by id and key", async () => {
    setup();
    const { webhook, sendEmail } = await import("./support/demo.ts");
    await demo.jobs.enqueueMany(
      webhook,
      Array.from({ length: 120 }, (_, i) => ({ payload: { url: "u", event: `e${i}`, body: null } })),
    );
    const dead = await seedDead(demo.store, 3);
    const [keyed] = await demo.jobs.enqueueMany(sendEmail, [
      { payload: { template: "t", to: ["a@example.com"], props: {} }, key: "order-42" },
    ]);
    const seen = new Set<string>();
    let path: string | undefined = "/admin/jobs?name=webhooks.deliver";
    let pages = 0;
    while (path) {
      const { text } = await get(path);
      for (const m of text.matchAll(/data-job-id="(\d+)"/g)) seen.add(m[1]!);
      path = text.match(/href="([^"]+)" rel="next"/)?.[1]?.replaceAll("&amp;", "&");
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.size).toBe(120);
    const deadPage = await get("/admin/jobs?state=dead&name=mail.send&queue=mail");
    expect([...deadPage.text.matchAll(/data-job-id="(\d+)"/g)].map((m) => m[1]).sort()).toEqual([...dead].sort());
    expect(deadPage.text).toContain("<strong>3</strong> dead jobs named mail.send in queue mail");
    const byKey = await get("/admin/jobs?q=order-42");
    expect([...byKey.text.matchAll(/data-job-id="(\d+)"/g)].map((m) => m[1])).toEqual([keyed]);
    const byId = await get(`/admin/jobs?q=${dead[0]}`);
    expect([...byId.text.matchAll(/data-job-id="(\d+)"/g)].map((m) => m[1])).toEqual([dead[0]]);
    const oldest = await get("/admin/jobs?order=oldest&limit=10");
    const firstIds = [...oldest.text.matchAll(/data-job-id="(\d+)"/g)].map((m) => Number(m[1]));
    expect(firstIds).toEqual([...firstIds].sort((a, b) => a - b));
  });
});

describe("actions", () => {
  test("retry, run now and discard from the job page, then back to it with a notice", async () => {
    setup();
    const [id] = await seedDead(demo.store, 1);
    const retried = await post(`/admin/jobs/${id}/retry`, { back: `/admin/jobs/${id}` });
    expect(retried.res.status).toBe(303);
    expect(retried.res.headers.get("location")).toBe(`/admin/jobs/${id}?notice=retried`);
    expect((await demo.jobs.get(id!))!.state).toBe("ready");
    expect((await get(`/admin/jobs/${id}?notice=retried`)).text).toContain("The job will run again now.");
    const again = await post(`/admin/jobs/${id}/retry`, {});
    expect(again.res.headers.get("location")).toBe(`/admin/jobs/${id}?notice=not-retryable`);

    const { webhook } = await import("./support/demo.ts");
    const later = await demo.jobs.enqueue(webhook, { url: "u", event: "e", body: null }, { delayMs: 3_600_000 });
    await post(`/admin/jobs/${later}/run`, {});
    expect((await demo.jobs.get(later))!.state).toBe("ready");

    const discarded = await post(`/admin/jobs/${id}/discard`, { back: `/admin/jobs/${id}` });
    expect(discarded.res.headers.get("location")).toBe("/admin/jobs?notice=discarded");
    expect(await demo.jobs.get(id!)).toBeNull();
  });

  test("bulk retry and discard every dead job of a name, not others", async () => {
    setup();
    const mail = await seedDead(demo.store, 25);
    const { webhook } = await import("./support/demo.ts");
    const other = await demo.jobs.enqueue(webhook, { url: "u", event: "e", body: null });
    const retried = await post("/admin/jobs/bulk/retry", {
      state: "dead",
      name: "mail.send",
      back: "/admin/jobs?state=dead&name=mail.send",
    });
    expect(retried.res.headers.get("location")).toBe("/admin/jobs?state=dead&name=mail.send&notice=bulk-retried&n=25");
    for (const id of mail) expect((await demo.jobs.get(id))!.state).toBe("ready");
    expect((await demo.jobs.get(other))!.state).toBe("ready");
    const moreDead = await seedDead(demo.store, 4);
    const discarded = await post("/admin/jobs/bulk/discard", { state: "dead", name: "mail.send" });
    expect(discarded.res.headers.get("location")).toBe("/admin/jobs?notice=bulk-discarded&n=4");
    for (const id of moreDead) expect(await demo.jobs.get(id)).toBeNull();
    expect((await post("/admin/jobs/bulk/discard", { state: "ready" })).res.status).toBe(400);
  });

  test("a `back` that leaves the dashboard is ignored", async () => {
    setup();
    const [id] = await seedDead(demo.store, 1);
    for (const back of ["https://evil.example/admin/", "//evil.example/admin/", "/admin\\..\\x", "/other"]) {
      await seedDead(demo.store, 1);
      const { res } = await post(`/admin/jobs/${id}/run`, { back });
      expect(res.headers.get("location")).toStartWith(`/admin/jobs/${id}?notice=`);
    }
  });

  test("crons: trigger now enqueues a run; disable and enable", async () => {
    setup();
    const triggered = await post("/admin/crons/invoice-sync/trigger", {});
    expect(triggered.res.headers.get("location")).toBe("/admin/crons?notice=triggered");
    const runs = await demo.cron.runs("invoice-sync");
    expect(runs).toHaveLength(1);
    expect(runs[0]!.tick).toBeNull();
    await post("/admin/crons/invoice-sync/disable", {});
    expect((await demo.cron.list()).find((c) => c.name === "invoice-sync")!.enabled).toBe(false);
    const page = await get("/admin/crons");
    expect(page.text).toMatch(/data-cron="invoice-sync"[\s\S]*badge disabled/);
    expect(page.text).toContain(`href="/admin/jobs/${runs[0]!.jobId}"`);
    await post("/admin/crons/invoice-sync/enable", {});
    expect((await demo.cron.list()).find((c) => c.name === "invoice-sync")!.enabled).toBe(true);
  });
});

describe("CSRF", () => {
  test("a cookie POST needs its session's token and this origin", async () => {
    setup();
    const [id] = await seedDead(demo.store, 1);
    const { cookie, csrf } = await signIn();
    const noToken = await post(`/admin/jobs/${id}/retry`, {}, { cookie, origin });
    expect(noToken.res.status).toBe(403);
    const wrongToken = await post(`/admin/jobs/${id}/retry`, { _csrf: "x".repeat(43) }, { cookie, origin });
    expect(wrongToken.res.status).toBe(403);
    const crossOrigin = await post(
      `/admin/jobs/${id}/retry`,
      { _csrf: csrf },
      { cookie, origin: "https://evil.example" },
    );
    expect(crossOrigin.res.status).toBe(403);
    const crossSite = await post(
      `/admin/jobs/${id}/retry`,
      { _csrf: csrf },
      { cookie, "sec-fetch-site": "cross-site", origin },
    );
    expect(crossSite.res.status).toBe(403);
    const sameSite = await post(`/admin/jobs/${id}/retry`, { _csrf: csrf }, { cookie, "sec-fetch-site": "same-site" });
    expect(sameSite.res.status).toBe(403);
    expect((await demo.jobs.get(id!))!.state).toBe("dead");
    const ok = await post(
      `/admin/jobs/${id}/retry`,
      { _csrf: csrf },
      { cookie, origin, "sec-fetch-site": "same-origin" },
    );
    expect(ok.res.status).toBe(303);
    expect((await demo.jobs.get(id!))!.state).toBe("ready");
  });

  test("another session's token does not do", async () => {
    setup();
    const [id] = await seedDead(demo.store, 1);
    const mine = await signIn();
    const theirs = await signIn();
    const { res } = await post(`/admin/jobs/${id}/retry`, { _csrf: theirs.csrf }, { cookie: mine.cookie, origin });
    expect(res.status).toBe(403);
  });

  test("with an authorize function: a double-submit cookie token, set on the first page", async () => {
    const { jobs, store } = createDemo();
    const app = new Elysia().use(
      dashboard({ jobs, authorize: (request) => request.headers.get("x-user") === "ops", logger: silentLogger }),
    );
    const [id] = await seedDead(store, 1);
    expect((await app.handle(new Request(`${origin}/admin/`))).status).toBe(401);
    const page = await app.handle(new Request(`${origin}/admin/jobs/${id}`, { headers: { "x-user": "ops" } }));
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toStartWith("errand_csrf=");
    const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    const send = (fields: Record<string, string>, headers: Record<string, string>) =>
      app.handle(
        new Request(`${origin}/admin/jobs/${id}/retry`, {
          method: "POST",
          body: new URLSearchParams(fields),
          headers: { "content-type": "application/x-www-form-urlencoded", "x-user": "ops", ...headers },
        }),
      );
    expect((await send({ _csrf: csrf }, {})).status).toBe(403); // no cookie to match
    expect((await send({ _csrf: "y".repeat(43) }, { cookie })).status).toBe(403);
    expect((await send({ _csrf: csrf }, { cookie, origin: "https://evil.example" })).status).toBe(403);
    expect((await send({ _csrf: csrf }, { cookie })).status).toBe(303);
  });
});

describe("control features, where the jobs service has them", () => {
  /** The demo's jobs plus pause, resume, paused and cancel, as issue 12's API gives them. */
  function controllable(demo: Demo) {
    const pauses: { name?: string; queue?: string; pausedAt: number }[] = [];
    const cancelled = new Set<string>();
    const same = (a: { name?: string; queue?: string }, b: { name?: string; queue?: string }) =>
      a.name === b.name && a.queue === b.queue;
    const jobs = {
      list: demo.jobs.list.bind(demo.jobs),
      retry: demo.jobs.retry.bind(demo.jobs),
      discard: demo.jobs.discard.bind(demo.jobs),
      runNow: demo.jobs.runNow.bind(demo.jobs),
      stats: demo.jobs.stats.bind(demo.jobs),
      get: async (id: string) => {
        const job = await demo.jobs.get(id);
        return (
          job && {
            ...job,
            result: { sent: 3, html: "<b>bold</b>" },
            progress: 42,
            state: cancelled.has(id) ? "cancelled" : job.state,
          }
        );
      },
      pause: async (target: { name: string } | { queue: string }) => {
        if (pauses.some((p) => same(p, target))) return false;
        pauses.push({ ...target, pausedAt: Date.now() });
        return true;
      },
      resume: async (target: { name: string } | { queue: string }) => {
        const at = pauses.findIndex((p) => same(p, target));
        if (at >= 0) pauses.splice(at, 1);
        return at >= 0;
      },
      paused: async () => pauses as never,
      cancel: async (id: string) => {
        cancelled.add(id);
        return true;
      },
    };
    const app = new Elysia().use(dashboard({ jobs: jobs as never, authorize: () => true, logger: silentLogger }));
    return { app, pauses, cancelled };
  }
  const send = (app: Elysia, path: string, fields: Record<string, string> = {}) =>
    app.handle(
      new Request(`${origin}${path}`, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Bearer script" },
      }),
    );

  test("pause and resume a queue and a name from the Queues page", async () => {
    const demo = createDemo();
    await seedDead(demo.store, 2);
    const { app, pauses } = controllable(demo);
    const page = async () => (await app.handle(new Request(`${origin}/admin/queues`))).text();
    expect((await page()).match(/>Pause</g)?.length).toBe(2); // queue mail, name mail.send
    const paused = await send(app, "/admin/queues/pause", { queue: "mail", back: "/admin/queues" });
    expect(paused.headers.get("location")).toBe("/admin/queues?notice=paused");
    expect(pauses).toMatchObject([{ queue: "mail" }]);
    expect(await page()).toMatch(/data-queue="mail"[\s\S]*badge paused[\s\S]*>Resume</);
    await send(app, "/admin/queues/pause", { name: "mail.send" });
    expect(pauses).toHaveLength(2);
    await send(app, "/admin/queues/resume", { queue: "mail" });
    expect(pauses).toMatchObject([{ name: "mail.send" }]);
    expect((await send(app, "/admin/queues/pause", { queue: "a", name: "b" })).status).toBe(400);
    expect((await send(app, "/admin/queues/pause", {})).status).toBe(400);
  });

  test("on the real jobs service, pause and resume go through the store", async () => {
    const demo = createDemo();
    await seedDead(demo.store, 1);
    const app = new Elysia().use(dashboard({ jobs: demo.jobs, authorize: () => true, logger: silentLogger }));
    const page = async () => (await app.handle(new Request(`${origin}/admin/queues`))).text();
    expect((await send(app, "/admin/queues/pause", { name: "mail.send" })).status).toBe(303);
    expect(await demo.store.paused()).toMatchObject([{ name: "mail.send" }]);
    expect(await page()).toMatch(/badge paused[\s\S]*>Resume</);
    await send(app, "/admin/queues/resume", { name: "mail.send" });
    expect(await demo.store.paused()).toEqual([]);
    expect(await page()).not.toContain("badge paused");
  });

  test("without pause or cancel the pages offer no control and the actions are 404", async () => {
    const demo = createDemo();
    const [id] = await seedDead(demo.store, 1);
    // Only what every jobs service has, whatever the control features of the real one.
    const plain = {
      list: demo.jobs.list.bind(demo.jobs),
      get: demo.jobs.get.bind(demo.jobs),
      retry: demo.jobs.retry.bind(demo.jobs),
      discard: demo.jobs.discard.bind(demo.jobs),
      runNow: demo.jobs.runNow.bind(demo.jobs),
      stats: demo.jobs.stats.bind(demo.jobs),
    };
    const app = new Elysia().use(dashboard({ jobs: plain, authorize: () => true, logger: silentLogger }));
    const page = async (path: string) => (await app.handle(new Request(`${origin}${path}`))).text();
    expect(await page("/admin/queues")).not.toContain(">Pause<");
    expect(await page(`/admin/jobs/${id}`)).not.toContain(">Cancel<");
    expect((await send(app as unknown as Elysia, "/admin/queues/pause", { queue: "mail" })).status).toBe(404);
    expect((await send(app as unknown as Elysia, `/admin/jobs/${id}/cancel`)).status).toBe(404);
  });

  test("with the real jobs service: Cancel cancels in the store; a result and progress show", async () => {
    const demo = setup(); // post() sends to the file's demo
    const app = demo.app;
    const later = await demo.jobs.enqueue(webhook, { url: "u", event: "e", body: null }, { delayMs: 60_000 });
    const before = await (
      await app.handle(new Request(`${origin}/admin/jobs/${later}`, { headers: bearerHeaders }))
    ).text();
    expect(before).toContain(">Cancel<");
    const { res } = await post(`/admin/jobs/${later}/cancel`, { back: `/admin/jobs/${later}` });
    expect(res.headers.get("location")).toBe(`/admin/jobs/${later}?notice=cancelled`);
    expect((await demo.jobs.get(later))!.state).toBe("cancelled");
    const after = await (
      await app.handle(new Request(`${origin}/admin/jobs/${later}`, { headers: bearerHeaders }))
    ).text();
    expect(after).toContain('class="badge cancelled"');
    expect(after).toContain(">Retry<");
    // A job that reported progress and returned a result, written as a worker writes them.
    const done = await demo.jobs.enqueue(webhook, { url: "v", event: "e", body: null });
    const now = Date.now();
    await demo.store.claim({ workerId: "w", limit: 10, now, leaseMs: 30_000, names: [webhook.name] });
    await demo.store.progress(done, "75", { workerId: "w", now });
    await demo.store.complete([done], { workerId: "w", now, results: new Map([[done, '{"delivered":true}']]) });
    const page = await (
      await app.handle(new Request(`${origin}/admin/jobs/${done}`, { headers: bearerHeaders }))
    ).text();
    expect(page).toContain('<progress max="100" value="75">');
    expect(page).toContain("delivered");
  });

  test("cancel, the cancelled state, the result and progress on the job page", async () => {
    const demo = createDemo();
    const later = await demo.jobs.enqueue(webhook, { url: "u", event: "e", body: null }, { delayMs: 60_000 });
    const { app, cancelled } = controllable(demo);
    const before = await (await app.handle(new Request(`${origin}/admin/jobs/${later}`))).text();
    expect(before).toContain(">Cancel<");
    expect(before).toContain('<progress max="100" value="42">');
    expect(before).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(before).not.toContain("<b>bold</b>");
    const response = await send(app, `/admin/jobs/${later}/cancel`, { back: `/admin/jobs/${later}` });
    expect(response.headers.get("location")).toBe(`/admin/jobs/${later}?notice=cancelled`);
    expect(cancelled.has(later)).toBe(true);
    const after = await (await app.handle(new Request(`${origin}/admin/jobs/${later}`))).text();
    expect(after).toContain('class="badge cancelled"');
    expect(after).not.toContain(">Cancel<");
    expect(after).toContain(">Retry<");
  });
});

describe("workflows and flows", () => {
  test("an `after` job cancelled because its dependency died shows the reason, not a failed attempt 0", async () => {
    setup();
    const payload = { url: "https://x.test", event: "e", body: null };
    const first = await demo.jobs.enqueue(webhook, payload);
    const then = await demo.jobs.enqueue(webhook, payload, { after: first });
    const now = Date.now();
    await demo.store.claim({ workerId: "w", limit: 1, now, leaseMs: 30_000, names: [webhook.name] });
    await demo.store.fail(
      [{ id: first, retryAt: null, error: { attempt: 1, at: now, name: "Error", message: "down" } }],
      {
        workerId: "w",
        now,
      },
    );
    await demo.store.settleDependencies({ now });
    expect((await demo.jobs.get(then))!.state).toBe("cancelled");
    const page = await get(`/admin/jobs/${then}`);
    const attempts = page.text.slice(page.text.indexOf('id="attempts"'));
    expect(attempts).toContain("Ended without running");
    expect(attempts).toContain("DependencyFailedError");
    expect(attempts).not.toContain("Attempt 0");
    expect(attempts).not.toContain('class="badge failed"');
    // The dependency's own failed attempt keeps its label.
    expect((await get(`/admin/jobs/${first}`)).text).toContain("Attempt 1");
  });

  test("a job page lists a workflow's steps and a flow parent's children", async () => {
    setup();
    const flow = await demo.jobs.enqueueFlow({
      job: syncInvoices,
      payload: { accountId: "a-1" },
      children: [
        { job: webhook, payload: { url: "https://x.test", event: "e", body: null } },
        { job: webhook, payload: { url: "https://y.test", event: "e", body: null } },
      ],
    });
    const parent = await get(`/admin/jobs/${flow.id}`);
    expect(parent.text).toContain('id="children"');
    for (const child of flow.children) expect(parent.text).toContain(`/admin/jobs/${child.id}`);
    // A parked parent is due after its children, not at a date, and offers no Run now.
    expect(parent.text).toContain("after its dependencies");
    expect(parent.text).not.toContain("Run now");

    const [claimed] = await demo.store.claim({
      workerId: "w",
      limit: 1,
      now: Date.now(),
      leaseMs: 30_000,
      names: [webhook.name],
    });
    const now = Date.now();
    await demo.store.saveStep(
      claimed!.id,
      { id: "charge", seq: 0, result: { chargeId: "<ch_1>" }, done: true },
      { workerId: "w", now },
    );
    const page = await get(`/admin/jobs/${claimed!.id}`);
    expect(page.text).toContain('id="steps"');
    expect(page.text).toContain("<code>charge</code>");
    expect(page.text).toContain("&lt;ch_1&gt;");
    expect(page.text).not.toContain('id="children"');
  });
});
