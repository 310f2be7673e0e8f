/**
 * A thread of its own for spend-row inserts into the SQLite file: a batch's inserts and the WAL checkpoints
 * they trigger (an fsync, measured at 10+ ms here) would otherwise stall every request on the event loop.
 * Messages: `{ open }` first, then `{ id, rows }` in (rows as JSON text); `{ id, inserted }` or `{ id, error }` out.
 */
import { DatabaseSync } from "node:sqlite";
import { insertSpendBatch } from "../spend-insert.ts";
import type { SqlDatabase } from "../sql/database.ts";
import type { SpendLogRow } from "../spend-types.ts";
import { CONNECTION_PRAGMAS, sqliteDatabase } from "./connection.ts";
import { errorMessage } from "../../error-message.ts";

declare const self: { onmessage: ((event: MessageEvent) => void) | null; postMessage(message: unknown): void };

let db: SqlDatabase | null = null;

self.onmessage = (event: MessageEvent) => {
  const message = event.data as { open: string } | { id: number; rows: string };
  if ("open" in message) {
    const connection = new DatabaseSync(message.open);
    connection.exec(CONNECTION_PRAGMAS);
    db = sqliteDatabase(connection);
    return;
  }
  const { id, rows } = message;
  (async () => insertSpendBatch(db!, JSON.parse(rows) as SpendLogRow[]))().then(
    (inserted) => self.postMessage({ id, inserted }),
    (error: unknown) => self.postMessage({ id, error: errorMessage(error) }),
  );
};
