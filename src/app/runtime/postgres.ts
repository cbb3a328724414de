import { type PostgresTx, postgresDeliveryLedger, postgresPreviewStore, postgresStore } from "errand/postgres";
import pg from "pg";
import { openPostgresAppDb, PostgresAppRepository } from "../db/postgres/repository.ts";
import { errorCode, StartupError } from "../startup-error.ts";
import { assembleRuntime, chooseTransport, createBackground } from "./background.ts";
import type { AppRuntime, RuntimeOptions } from "./types.ts";

/**
 * PostgreSQL, for several instances on one database: the app's tables in DATABASE_SCHEMA (the pool's
 * search_path), jobs and mail previews in JOBS_SCHEMA, all on one node-postgres pool. The confirmation
 * job is inserted through the app's drizzle transaction, so it commits with the user row.
 *
 * A lost connection (a restart, a failover, a killed backend) fails the requests and job statements
 * that were using it; the pool connects again for the next ones, and /health/ready answers 503 while
 * the job store cannot reach the database.
 */
export async function openPostgresRuntime(options: RuntimeOptions, url: string): Promise<AppRuntime> {
  const { config, logger } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A host that drops packets would otherwise hold the start (and each later connect) indefinitely.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    options: `-c search_path=${config.databaseSchema}`,
  });
  // A connection that dies emits 'error' on its client (and, while idle in the pool, on the pool); an
  // event nobody listens to ends the process. drizzle's transactions check clients out without a
  // listener (drizzle-orm #3908), so every client gets one for its whole life. The statement in
  // flight on it, if any, fails on its own; the pool drops the connection and opens a new one.
  pool.on("connect", (client) =>
    client.on("error", (error) => logger.warn({ err: error }, "a PostgreSQL connection was lost")),
  );
  pool.on("error", () => {}); // the idle client's own listener above has logged it
  try {
    const db = await openPostgresAppDb(pool, config.databaseSchema);
    const store = postgresStore({ pool, schema: config.jobsSchema });
    await store.init();
    const { transport, previewStore } = chooseTransport(options, () =>
      postgresPreviewStore({ pool, schema: config.jobsSchema }),
    );
    // Shared by every instance, so a batch retried on another instance goes out as the same request.
    const ledger = config.mailBatching ? postgresDeliveryLedger({ pool, schema: config.jobsSchema }) : undefined;
    const background = createBackground<PostgresTx>(store, transport, options, ledger);
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
        await previewStore?.close();
        await ledger?.close();
        await pool.end();
      },
    });
  } catch (error) {
    await pool.end();
    throw unreachable(url, error) ?? error;
  }
}

/** Why the database at `url` cannot be used and what to fix, when that is the problem; else undefined. */
function unreachable(url: string, error: unknown): StartupError | undefined {
  const cause = connectionProblem(errorCode(error) ?? uncodedProblem(error));
  if (!cause) return undefined;
  const { hostname, port, pathname, username } = new URL(url);
  const where = `host ${hostname}:${port || 5432}, database "${decodeURIComponent(pathname.slice(1)) || username}", user "${decodeURIComponent(username)}"`;
  const detail = error instanceof Error ? error.message : String(error);
  return new StartupError(`Cannot use the PostgreSQL database in DATABASE_URL (${where}): ${cause} (${detail}).`, {
    cause: error,
  });
}

/** node-postgres reports its connect timeout, and a server that refuses SSL, without a code. */
function uncodedProblem(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/timeout exceeded when trying to connect|connection timeout/i.test(e.message)) return "ETIMEDOUT";
    if (/server does not support SSL/i.test(e.message)) return "SSL_REFUSED";
  }
  return undefined;
}

function connectionProblem(code: string | undefined): string | undefined {
  switch (code) {
    case "ECONNREFUSED":
      return "the connection was refused. Check that PostgreSQL runs on that host and port and accepts TCP connections, or fix DATABASE_URL";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve. Fix the host in DATABASE_URL";
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the host did not answer. Check the host and port in DATABASE_URL and that no firewall is in the way";
    case "28P01":
    case "28000":
      return "the server refused the credentials. Fix the user and password in DATABASE_URL, or the server's pg_hba.conf";
    case "3D000":
      return "the database does not exist. Create it (createdb) or fix its name in DATABASE_URL";
    case "SSL_REFUSED":
      return "DATABASE_URL asks for SSL (sslmode) but the server does not accept SSL connections. Turn SSL on in the server, or remove sslmode from DATABASE_URL where an unencrypted connection is acceptable";
    default:
      return undefined;
  }
}
