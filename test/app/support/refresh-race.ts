// Refresh-token rotation under concurrency, as scenarios both stores run.
import { expect } from "bun:test";
import { confirmTokenFrom, eventually, postJson, type TestApp } from "./harness.ts";

interface Pair {
  accessToken: string;
  refreshToken: string;
}

const password = "refresh race password";

async function loggedIn(t: TestApp, email: string): Promise<Pair> {
  expect((await t.request("/api/users/register", postJson({ email, password, displayName: "R" }))).status).toBe(201);
  const token = await eventually(() => confirmTokenFrom(t.transport, email));
  expect((await t.request("/api/users/confirm", postJson({ token, password }))).status).toBe(200);
  const login = await t.request("/api/auth/token", postJson({ email, password }));
  expect(login.status).toBe(200);
  return (await login.json()) as Pair;
}

async function refresh(t: TestApp, refreshToken: string): Promise<{ status: number; pair?: Pair }> {
  const response = await t.request("/api/auth/refresh", postJson({ refreshToken }));
  return response.status === 200 ? { status: 200, pair: (await response.json()) as Pair } : { status: response.status };
}

/**
 * Five refreshes with one token at once (tabs waking up together): every one gets the same rotated
 * pair, and the family lives on. Presenting the first token again once its successor was rotated too
 * is a reuse: the family is revoked.
 */
export async function concurrentRefreshes(t: TestApp, email: string): Promise<void> {
  const first = await loggedIn(t, email);
  const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(t, first.refreshToken)));
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  const second = answers[0]!.pair!;
  for (const answer of answers) expect(answer.pair).toEqual(second);
  expect(second.refreshToken).not.toBe(first.refreshToken);
  const me = await t.request("/api/users/me", { headers: { authorization: `Bearer ${second.accessToken}` } });
  expect(me.status).toBe(200);

  const third = await refresh(t, second.refreshToken);
  expect(third.status).toBe(200);
  // Only the token right before the current one gets the reuse interval; the first is two behind.
  expect((await refresh(t, first.refreshToken)).status).toBe(401);
  expect((await refresh(t, third.pair!.refreshToken)).status).toBe(401);
}

/** With a reuse interval of one second: a rotated token presented after it revokes the family. */
export async function reuseAfterTheInterval(t: TestApp, email: string): Promise<void> {
  const first = await loggedIn(t, email);
  const second = await refresh(t, first.refreshToken);
  expect(second.status).toBe(200);
  expect((await refresh(t, first.refreshToken)).pair).toEqual(second.pair!);
  await Bun.sleep(1_100);
  expect((await refresh(t, first.refreshToken)).status).toBe(401);
  expect((await refresh(t, second.pair!.refreshToken)).status).toBe(401);
}
