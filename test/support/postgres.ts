// The test PostgreSQL, named by one variable. A test file that imports this module needs PostgreSQL:
// `bun run test:unit` leaves it out (test/tiers.ts), so import it from every such file, even when the
// URL reaches the test through another helper.
export const testDatabaseUrl = process.env.ERRAND_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
