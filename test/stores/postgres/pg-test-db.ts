import postgres, { type Sql } from "postgres";
import { testDatabaseUrl } from "../../support/postgres.ts";

export { testDatabaseUrl };

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
