import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { migrate } from "../migrations/index.ts";
import { insertSpendBatch } from "../spend-insert.ts";
import { sqlStore } from "../sql-store.ts";
import type { Store } from "../types.ts";
import { CONNECTION_PRAGMAS, sqliteDatabase } from "./connection.ts";
import { spendInsertThread } from "./insert-thread.ts";

/**
 * The embedded default: one file, WAL mode, synchronous calls behind the async interface. Several processes
 * may share the file (SQLite locks it), but cache invalidation then only reaches this process.
 */
export async function openSqliteStore(file: string): Promise<Store> {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const connection = new DatabaseSync(file);
  connection.exec(CONNECTION_PRAGMAS);
  const db = sqliteDatabase(connection);
  await migrate(db);
  // Spend rows are written from a thread of their own (a private `:memory:` database cannot be shared with one).
  const thread = file === ":memory:" ? null : spendInsertThread(path.resolve(file));
  return sqlStore(db, thread ? (rows) => thread.insert(rows) : (rows) => insertSpendBatch(db, rows), async () => {
    await thread?.close();
    await db.close();
  });
}
