import pg from "pg";
import { testDatabaseUrl } from "../../support/postgres.ts";

export { testDatabaseUrl };

/** A schema name no other run uses; the test drops it afterwards. */
export function testSchema(label = "pg"): string {
  return `errand_test_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A node-postgres pool (what postgresStore({ pool }) takes) with a shorthand for the rows of a statement. */
export class TestDb extends pg.Pool {
  async unsafe<R = Record<string, unknown>>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return (await this.query(text, [...values])).rows as R[];
  }
}

export function testClient(max = 4, url = testDatabaseUrl): TestDb {
  const db = new TestDb({ connectionString: url, max });
  // An idle connection that dies (a test killing backends) must not take the test process with it.
  db.on("error", () => {});
  return db;
}

export async function dropSchema(db: TestDb, schema: string): Promise<void> {
  await db.unsafe(`drop schema if exists "${schema}" cascade`);
}
