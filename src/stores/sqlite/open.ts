// Opening a database file for the job store, or for an app that shares its connection with it.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteOpenError } from "./errors.ts";

/**
 * Opens (creating it and its directory when missing) an SQLite file set up for a job queue on one file:
 * WAL lets readers run while the one writer commits; synchronous=NORMAL syncs the WAL at checkpoints,
 * not at every commit: a committed job survives a process crash (kill -9, OOM) but the last commits
 * before a power cut or OS crash can be lost. busy_timeout makes a second process wait for the write
 * lock instead of failing with SQLITE_BUSY. foreign_keys is on for an app that shares the connection
 * (SQLite leaves it off by default); the jobs tables declare no foreign keys.
 *
 * Fails with SqliteOpenError, naming the path and the cause, when the directory cannot be created or
 * the file cannot be created or switched to WAL (a read-only file or directory). A file that is
 * already in WAL mode but read-only opens, and fails at its first write.
 */
export function openSqliteDatabase(path: string): Database {
  let database: Database | undefined;
  try {
    if (!isSpecialPath(path)) mkdirSync(dirname(path), { recursive: true });
    database = new Database(path, { create: true, readwrite: true });
    database.run("PRAGMA journal_mode = WAL");
    database.run("PRAGMA synchronous = NORMAL");
    database.run("PRAGMA busy_timeout = 5000");
    database.run("PRAGMA foreign_keys = ON");
    return database;
  } catch (error) {
    database?.close();
    throw new SqliteOpenError(path, error);
  }
}

/** ":memory:" and "file:" URIs name no directory to create. */
function isSpecialPath(path: string): boolean {
  return path === ":memory:" || path.startsWith("file:");
}
