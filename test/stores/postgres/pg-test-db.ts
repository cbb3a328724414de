import postgres, { type Sql } from "postgres";

export const testDatabaseUrl = process.env.ERRAND_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other run uses; the test drops it afterwards. */
export function testSchema(label = "pg"): string {
  return `errand_test_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export function testClient(max = 4): Sql {
  return postgres(testDatabaseUrl, { max, onnotice: () => {} });
}

export async function dropSchema(sql: Sql, schema: string): Promise<void> {
  await sql.unsafe(`drop schema if exists "${schema}" cascade`);
}
