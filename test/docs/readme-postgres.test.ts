// The README blocks marked `<!-- doc-test: postgres -->`, against the test PostgreSQL
// (ERRAND_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test): each block gets a
// database of its own as DATABASE_URL (created on that server, dropped afterwards). Importing
// test/support/postgres.ts puts this file in the PostgreSQL tier (test/tiers.ts).
import { testDatabaseUrl } from "../support/postgres.ts";
import { describeReadmeBlocks, readmeBlocks } from "./readme-suite.ts";

describeReadmeBlocks(
  "README blocks on PostgreSQL",
  readmeBlocks().filter((b) => b.fragment === undefined && b.options.postgres),
  testDatabaseUrl,
);
