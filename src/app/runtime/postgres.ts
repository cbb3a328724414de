import postgres from "postgres";
import { postgresPreviewStore } from "../../mail/index.ts";
import { type PostgresTx, postgresStore } from "../../stores/postgres/index.ts";
import { openPostgresAppDb, PostgresAppRepository } from "../db/postgres/repository.ts";
import { assembleRuntime, chooseTransport, createBackground } from "./background.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

/**
 * PostgreSQL, for several instances on one database: the app's tables in DATABASE_SCHEMA (the pool's
 * search_path), jobs in JOBS_SCHEMA. The confirmation job is inserted through the app's drizzle
 * transaction, so it commits with the user row.
 */
export async function openPostgresRuntime(options: RuntimeOptions, url: string): Promise<AppRuntime> {
  const { config } = options;
  const sql = postgres(url, { max: 10, onnotice: () => {}, connection: { search_path: config.databaseSchema } });
  try {
    const db = await openPostgresAppDb(sql, config.databaseSchema);
    const store = postgresStore({ sql, schema: config.jobsSchema });
    await store.init();
    const { transport, previewStore } = chooseTransport(config, options.transport, () =>
      postgresPreviewStore({ sql, schema: config.jobsSchema }),
    );
    const background = createBackground<PostgresTx>(store, transport, options);
    const repository = new PostgresAppRepository(
      db,
      async (tx, mail) => void (await background.enqueueConfirmation(tx, mail).async()),
    );
    background.provideRepository(repository);
    return assembleRuntime(background, {
      repository,
      previewStore,
      close: async () => {
        await store.close();
        await sql.end({ timeout: 5 });
      },
    });
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
}
