import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { sqliteStore } from "../../../src/stores/sqlite/index.ts";
import type { SqliteTx } from "../../../src/stores/sqlite/index.ts";
import { describeJobStoreContract } from "../contract/job-store.contract.ts";

class Rollback extends Error {}

describeJobStoreContract<SqliteTx>("sqlite (shared in-memory connection)", async () => {
  const database = new Database(":memory:");
  const store = sqliteStore({ database });
  const db = drizzle({ client: database });
  return {
    store,
    cleanup: async () => {
      await store.close();
      database.close();
    },
    // drizzle's bun-sqlite transaction is synchronous: the enqueue must run inside it without awaiting.
    transaction: async (work, outcome) => {
      try {
        db.transaction((tx) => {
          const result = work(tx);
          if (result instanceof Promise) throw new Error("a synchronous store returned a Promise inside a sync transaction");
          if (outcome === "rollback") throw new Rollback();
        });
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      }
    },
  };
});
