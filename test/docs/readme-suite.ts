// One test per runnable README block: type-checks (one tsc run for all) and executes it. The blocks of
// one file run two at a time in the background from the first test on; each test awaits its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { FakeResend } from "../support/fake-resend.ts";
import { type DocBlock, DocRun, extractBlocks, limited, type RunResult, repoRoot, runFailure } from "./doc-blocks.ts";

export function readmeBlocks(): DocBlock[] {
  return extractBlocks(readFileSync(join(repoRoot, "README.md"), "utf8"), "README.md");
}

interface Outcome {
  result: RunResult;
  /** Mails the fake Resend received during the run (resend blocks). */
  delivered: number;
}

/** Registers one test per block; `databaseUrl` is the server where `postgres` blocks get a database each. */
export function describeReadmeBlocks(title: string, blocks: readonly DocBlock[], databaseUrl?: string): void {
  describe(title, () => {
    let run: DocRun;
    let fake: FakeResend | undefined;
    let sql: pg.Pool | undefined;
    let typecheck: Promise<Map<DocBlock, string[]>>;
    let outcomes: Map<DocBlock, Promise<Outcome>>;

    beforeAll(() => {
      run = new DocRun(title.replace(/\W+/g, "-").toLowerCase());
      run.write(blocks);
      if (blocks.some((b) => b.options.resend)) fake = new FakeResend();
      if (blocks.some((b) => b.options.postgres)) {
        if (!databaseUrl) throw new Error("postgres blocks need a databaseUrl (readme-postgres.test.ts)");
        sql = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      }
      typecheck = run.typecheck();
      outcomes = limited(blocks, 2, (block) => runOne(block));
    });

    afterAll(async () => {
      // Let every started run settle before removing its directory.
      await Promise.allSettled([...(outcomes?.values() ?? [])]);
      await fake?.stop();
      await sql?.end();
      run?.dispose();
    });

    async function runOne(block: DocBlock): Promise<Outcome> {
      const env: Record<string, string> = {};
      const database = `errand_doc_${process.pid}_${block.line}`;
      if (block.options.resend && fake) {
        env.RESEND_API_KEY = fake.apiKey;
        env.RESEND_BASE_URL = fake.url;
      }
      if (block.options.postgres) {
        await sql!.query(`create database ${database}`);
        const url = new URL(databaseUrl!);
        url.pathname = `/${database}`;
        env.DATABASE_URL = url.href;
      }
      const before = fake?.deliveries.length ?? 0;
      try {
        const result = await run.run(block, env);
        return { result, delivered: (fake?.deliveries.length ?? 0) - before };
      } finally {
        if (block.options.postgres) await sql!.query(`drop database if exists ${database} with (force)`);
      }
    }

    for (const block of blocks) {
      const name = `line ${block.line} (${block.heading})${block.options.pending ? ` — pending: ${block.options.pending}` : ""}`;
      const define = block.options.pending ? test.failing : test;
      define(
        name,
        async () => {
          const diagnostics = (await typecheck).get(block) ?? [];
          expect(diagnostics.join("\n")).toBe("");
          const { result, delivered } = await outcomes.get(block)!;
          const failure = runFailure(block, result);
          if (failure) throw new Error(failure);
          if (block.options.resend) expect(delivered).toBeGreaterThan(0);
        },
        // The first test also waits for tsc; every block may take its own timeout, two at a time.
        60_000 + blocks.reduce((sum, b) => sum + b.options.timeoutMs, 0),
      );
    }
  });
}
