import "../../support/postgres.ts";
import { afterAll } from "bun:test";
import { drizzle } from "drizzle-orm/node-postgres";
import { type PostgresTx, postgresStore } from "../../../src/stores/postgres/index.ts";
import { describeJobStoreContract } from "../contract/job-store.contract.ts";
import { dropSchema, testClient, testSchema } from "./pg-test-db.ts";

const sql = testClient();
const db = drizzle({ client: sql });
afterAll(() => sql.end());

class Rollback extends Error {
  override name = "Rollback";
}

describeJobStoreContract<PostgresTx>("PostgreSQL", async () => {
  const schema = testSchema("contract");
  const store = postgresStore({ db, schema });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(sql, schema);
    },
    transaction: async (work, outcome) => {
      await db
        .transaction(async (tx) => {
          await work(tx);
          if (outcome === "rollback") throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
    },
  };
});
