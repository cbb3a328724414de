import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually, postJson, startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SUCCEEDED_JOB_RETENTION_HOURS: "1" });
});
afterAll(() => t.stop());

function sql(statement: string, ...params: (string | number)[]) {
  const db = new Database(`${t.dir}/app.sqlite`);
  try {
    db.run(statement, params);
  } finally {
    db.close();
  }
}

async function runCron(name: string): Promise<void> {
  const id = await t.runtime.crons.trigger(name);
  await eventually(async () => ((await t.runtime.jobs.get(id))?.state === "succeeded" ? true : undefined));
}

const deletedLines = () => t.logs.filter((line) => line.includes("expired refresh tokens deleted"));

describe("app crons", () => {
  test("token-cleanup runs hourly and prune-succeeded-jobs daily", async () => {
    const crons = await t.runtime.crons.list();
    expect(crons.map((c) => [c.name, c.schedule])).toEqual([
      ["token-cleanup", "0 * * * *"],
      ["prune-succeeded-jobs", "30 3 * * *"],
    ]);
    expect(crons[0]!.nextRunAt!.getUTCMinutes()).toBe(0);
  });

  test("token-cleanup deletes expired refresh tokens, keeps valid ones, logs the count only when above zero", async () => {
    const registered = await t.request(
      "/api/users/register",
      postJson({ email: "tok@example.com", password: "long enough pw", displayName: "T" }),
    );
    const { id: userId } = (await registered.json()) as { id: string };
    const now = Date.now();
    const token = (id: string, expiresAt: number) => ({
      id,
      familyId: "family-1",
      userId,
      tokenHash: `hash-${id}`,
      expiresAt,
      createdAt: now - 1000,
      revokedAt: null,
      replacedBy: null,
    });
    await t.runtime.repository.insertRefreshToken(token("expired-1", now - 60_000));
    await t.runtime.repository.insertRefreshToken(token("expired-2", now - 1));
    await t.runtime.repository.insertRefreshToken(token("valid-1", now + 3_600_000));

    await runCron("token-cleanup");
    expect(await t.runtime.repository.findRefreshToken("hash-expired-1")).toBeNull();
    expect(await t.runtime.repository.findRefreshToken("hash-expired-2")).toBeNull();
    expect(await t.runtime.repository.findRefreshToken("hash-valid-1")).not.toBeNull();
    expect(deletedLines()).toHaveLength(1);
    expect(JSON.parse(deletedLines()[0]!)).toMatchObject({ deleted: 2, job: "app.token-cleanup" });

    await runCron("token-cleanup");
    expect(deletedLines()).toHaveLength(1);
  });

  test("prune-succeeded-jobs deletes succeeded jobs past the retention only", async () => {
    const before = (await t.runtime.jobs.list({ state: "succeeded" })).jobs;
    expect(before.length).toBeGreaterThan(1);
    const old = before.at(-1)!;
    sql("UPDATE errand_jobs SET finished_at = ? WHERE id = ?", Date.now() - 2 * 3_600_000, Number(old.id));
    await runCron("prune-succeeded-jobs");
    expect(await t.runtime.jobs.get(old.id)).toBeNull();
    const after = (await t.runtime.jobs.list({ state: "succeeded" })).jobs.map((job) => job.id);
    for (const job of before.filter((job) => job.id !== old.id)) expect(after).toContain(job.id);
  });
});
