/**
 * A thread of its own for spend-row inserts into the SQLite file: a batch's inserts and the WAL checkpoints
 * they trigger (an fsync, measured at 10+ ms here) would otherwise stall every request on the event loop.
 * Messages: `{ id, rows }` in (rows as JSON text); `{ id, inserted }` or `{ id, error }` out.
 */
import { DatabaseSync } from "node:sqlite";
import { spendLogInserter } from "./spend-sqlite-insert.ts";
import { CONNECTION_PRAGMAS } from "./sqlite-transaction.ts";
import type { SpendLogRow } from "./spend-types.ts";
import { errorMessage } from "../error-message.ts";

declare const self: { onmessage: ((event: MessageEvent) => void) | null; postMessage(message: unknown): void };

let insert: ((rows: SpendLogRow[]) => number) | null = null;

self.onmessage = (event: MessageEvent) => {
  const message = event.data as { open: string } | { id: number; rows: string };
  if ("open" in message) {
    const db = new DatabaseSync(message.open);
    db.exec(CONNECTION_PRAGMAS);
    insert = spendLogInserter(db);
    return;
  }
  try {
    self.postMessage({ id: message.id, inserted: insert!(JSON.parse(message.rows) as SpendLogRow[]) });
  } catch (error) {
    self.postMessage({ id: message.id, error: errorMessage(error) });
  }
};
