// Account pre-hijacking, end to end through the app's HTTP interface, as a scenario both stores run:
// an attacker registers the victim's address first, with a password of their own.
import { expect } from "bun:test";
import { confirmTokenFrom, eventually, postJson, type TestApp } from "./harness.ts";

const attackerPassword = "the attacker's own password";
const victimPassword = "the victim's own password";
const phishing = "Security team: call +1 555 0100 now";

async function status(t: TestApp, path: string, body: unknown): Promise<{ status: number; error?: string }> {
  const response = await t.request(path, postJson(body));
  const json = (await response.json()) as { error?: string };
  return { status: response.status, ...(json.error ? { error: json.error } : {}) };
}

/** Newest confirmation token mailed to `address` once there are `count` mails. */
async function nthToken(t: TestApp, address: string, count: number): Promise<string> {
  await eventually(() => (t.transport.to(address).length >= count ? true : undefined), 10_000);
  return confirmTokenFrom(t.transport, address)!;
}

/**
 * The victim registers, asks for a resend and confirms; the attacker's password never logs in, the
 * attacker's text never reaches the victim's inbox. Needs RESEND_CONFIRMATION_INTERVAL_MS=0.
 */
export async function victimRegistersAfterTheAttacker(t: TestApp, victim: string): Promise<void> {
  expect(
    await status(t, "/api/users/register", { email: victim, password: attackerPassword, displayName: phishing }),
  ).toEqual({ status: 201 });
  const squatted = await nthToken(t, victim, 1);
  const [mail] = t.transport.to(victim);
  for (const part of [mail!.subject, mail!.html, mail!.text]) {
    expect(part).not.toContain("555 0100");
    expect(part).not.toContain("Security team");
  }

  // The victim follows the link they did not ask for: without the attacker's password it confirms nothing.
  expect(await status(t, "/api/users/confirm", { token: squatted, password: victimPassword })).toEqual({
    status: 401,
    error: "invalid_credentials",
  });

  // The victim registers: that replaces the unconfirmed registration, and its link dies with it.
  expect(
    await status(t, "/api/users/register", { email: victim, password: victimPassword, displayName: "Victim" }),
  ).toEqual({ status: 201 });
  expect(await status(t, "/api/users/confirm", { token: squatted, password: attackerPassword })).toEqual({
    status: 400,
    error: "invalid_token",
  });

  // A resend, then the newest link with the victim's password.
  await nthToken(t, victim, 2);
  expect(await status(t, "/api/users/resend-confirmation", { email: victim })).toEqual({ status: 202 });
  const token = await nthToken(t, victim, 3);
  expect(await status(t, "/api/users/confirm", { token, password: victimPassword })).toMatchObject({ status: 200 });

  expect(await status(t, "/api/auth/token", { email: victim, password: attackerPassword })).toEqual({
    status: 401,
    error: "invalid_credentials",
  });
  expect(await status(t, "/api/auth/token", { email: victim, password: victimPassword })).toMatchObject({
    status: 200,
  });
  // A confirmed account is not replaced by registering again.
  expect(
    await status(t, "/api/users/register", { email: victim, password: attackerPassword, displayName: "Again" }),
  ).toEqual({ status: 409, error: "email_taken" });
  expect(await status(t, "/api/auth/token", { email: victim, password: attackerPassword })).toMatchObject({
    status: 401,
  });
}

/**
 * The victim never registers but asks for a resend and follows every link: nothing gets confirmed,
 * so the attacker's registration stays useless to them.
 */
export async function victimOnlyFollowsLinks(t: TestApp, victim: string): Promise<void> {
  expect(
    await status(t, "/api/users/register", { email: victim, password: attackerPassword, displayName: "A" }),
  ).toEqual({ status: 201 });
  await nthToken(t, victim, 1);
  expect(await status(t, "/api/users/resend-confirmation", { email: victim })).toEqual({ status: 202 });
  await nthToken(t, victim, 2);
  for (const mail of t.transport.to(victim)) {
    const token = mail.text.match(/confirm\?token=([\w-]+)/)![1]!;
    expect(await status(t, "/api/users/confirm", { token, password: victimPassword })).toMatchObject({ status: 401 });
  }
  expect(await status(t, "/api/auth/token", { email: victim, password: attackerPassword })).toEqual({
    status: 403,
    error: "email_not_confirmed",
  });
}
