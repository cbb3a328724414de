import { type PostgresTx, postgresPreviewStore, postgresStore } from "errand/postgres";
import postgres from "postgres";
import { openPostgresAppDb, PostgresAppRepository } from "../db/postgres/repository.ts";
import { errorCode, StartupError } from "../startup-error.ts";
import { assembleRuntime, chooseTransport, createBackground } from "./background.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

/**
 * PostgreSQL, for several instances on one database: the app's tables in DATABASE_SCHEMA (the pool's
 * search_path), jobs in JOBS_SCHEMA. The confirmation job is inserted through the app's drizzle
 * transaction, so it commits with the user row.
 */
export async function openPostgresRuntime(options: RuntimeOptions, url: string): Promise<AppRuntime> {
  const { config } = options;
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    // A host that drops packets would otherwise hold the start for postgres.js's default 30 s.
    connect_timeout: 10,
    connection: { search_path: config.databaseSchema },
  });
  try {
    const db = await openPostgresAppDb(sql, config.databaseSchema);
    const store = postgresStore({ sql, schema: config.jobsSchema });
    await store.init();
    const { transport, previewStore } = chooseTransport(options, () =>
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
    throw unreachable(url, error) ?? error;
  }
}

/** Why the database at `url` cannot be used and what to fix, when that is the problem; else undefined. */
function unreachable(url: string, error: unknown): StartupError | undefined {
  const cause = connectionProblem(errorCode(error));
  if (!cause) return undefined;
  const { hostname, port, pathname, username } = new URL(url);
  const where = `host ${hostname}:${port || 5432}, database "${decodeURIComponent(pathname.slice(1)) || username}", user "${decodeURIComponent(username)}"`;
  const detail = error instanceof Error ? error.message : String(error);
  return new StartupError(`Cannot use the PostgreSQL database in DATABASE_URL (${where}): ${cause} (${detail}).`, {
    cause: error,
  });
}

function connectionProblem(code: string | undefined): string | undefined {
  switch (code) {
    case "ECONNREFUSED":
      return "the connection was refused. Check that PostgreSQL runs on that host and port and accepts TCP connections, or fix DATABASE_URL";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve. Fix the host in DATABASE_URL";
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the host did not answer. Check the host and port in DATABASE_URL and that no firewall is in the way";
    case "28P01":
    case "28000":
      return "the server refused the credentials. Fix the user and password in DATABASE_URL, or the server's pg_hba.conf";
    case "3D000":
      return "the database does not exist. Create it (createdb) or fix its name in DATABASE_URL";
    default:
      return undefined;
  }
}
