import { expect } from "bun:test";
import { MailRenderer } from "errand/mail";
import { emailTemplates } from "../../../emails/index.ts";
import { startFakeResend } from "../../support/fake-resend.ts";
import { type Child, listeningUrl, spawnChild } from "../../support/process.ts";
import { eventually } from "./harness.ts";
import { freePort, LatchProxy } from "./latch-proxy.ts";

export interface SeedFlowOptions {
  /** The command that runs the app: `bun src/main.ts` or the compiled binary. */
  command: string[];
  cwd?: string;
  databasePath: string;
  children: Child[];
}

/**
 * The seed's flow against a real server process in production mode: register returns 201 while the
 * mail job is blocked on the provider (a latch), then the mail arrives at the fake Resend with a link
 * to a page that confirms once with the registration's password; then token, refresh, SIGTERM and exit 0.
 */
export async function runSeedFlow({ command, cwd, databasePath, children }: SeedFlowOptions): Promise<void> {
  const resend = startFakeResend({ apiKey: "re_seed_flow_key" });
  const latch = new LatchProxy(resend.url);
  try {
    const port = freePort();
    const child = spawnChild(
      command,
      {
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        AUTH_SECRET: "ZMcnBUxwCQ6zuQYvDePXTJdx0U3xdk5IQrZ3TxLeE4Y=",
        DATABASE_URL: databasePath,
        RESEND_API_KEY: resend.apiKey,
        RESEND_BASE_URL: latch.url,
        MAIL_FROM: "Errand <no-reply@example.com>",
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SHUTDOWN_TIMEOUT_MS: "3000",
      },
      cwd,
    );
    children.push(child);
    const url = await listeningUrl(child);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    // The container's HEALTHCHECK runs the same command with `healthcheck`.
    const healthcheck = Bun.spawn([...command, "healthcheck"], { cwd, env: { ...process.env, PORT: String(port) } });
    expect(await healthcheck.exited).toBe(0);

    const email = "seed@example.com";
    const password = "a long enough password";
    const registered = await fetch(`${url}/api/users/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password, displayName: "Seed <User>" }),
    });
    expect(registered.status).toBe(201);
    expect(resend.deliveries).toHaveLength(0);
    // The job is running and stuck on the provider: the response did not wait for the mail.
    await eventually(() => (latch.arrived > 0 ? true : undefined), 10_000);
    expect(resend.deliveries).toHaveLength(0);
    latch.open();

    const mail = await eventually(() => resend.deliveriesTo(email)[0], 10_000);
    expect(mail.subject).toBe("Confirm your account");
    // The display name is the registrant's free text: it stays out of a mail to an unverified address.
    expect(mail.html).not.toContain("Seed");
    const link = mail.text!.match(/https?:\/\/\S+confirm\?token=[\w-]+/)![0];
    expect(link.startsWith(`http://127.0.0.1:${port}/confirm?token=`)).toBe(true);
    // Byte for byte what the templates render in this process: the renderer the app loads on its first
    // mail (from the bundle, in the compiled binary) is the same React Email.
    const rendered = await new MailRenderer(emailTemplates).render("confirmation", { confirmUrl: link });
    expect(mail.html).toBe(rendered.html);
    expect(mail.text).toBe(rendered.text);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('type="password"');
    const confirm = () =>
      fetch(link, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: new URL(link).searchParams.get("token")!, password }),
      });
    expect((await confirm()).status).toBe(200);
    const again = await confirm();
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("already used");

    const login = await fetch(`${url}/api/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const pair = (await login.json()) as { refreshToken: string };
    const refreshed = await fetch(`${url}/api/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: pair.refreshToken }),
    });
    expect(refreshed.status).toBe(200);

    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(resend.deliveriesTo(email)).toHaveLength(1);
  } finally {
    await latch.stop();
    await resend.stop();
  }
}
