import type { DatabaseSync } from "node:sqlite";

/** BEGIN IMMEDIATE takes the write lock first, so two connections starting together apply each change once. */
export function transaction<T>(db: DatabaseSync, body: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/** Per-connection settings every connection to the gateway's file uses (WAL itself is a property of the file). */
export const CONNECTION_PRAGMAS = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON";
