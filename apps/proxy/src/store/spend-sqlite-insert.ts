import type { DatabaseSync } from "node:sqlite";
import { spendLogColumns, spendTotals } from "./spend-columns.ts";
import { transaction } from "./sqlite-transaction.ts";
import { sqliteRollupWriter } from "./aggregates/sqlite-rollup.ts";
import type { SpendLogRow } from "./spend-types.ts";

const fields = Object.keys(spendLogColumns) as (keyof SpendLogRow)[];

/**
 * Inserts a batch of spend rows and adds their totals to keys and budget entities in one transaction; a row
 * already stored (a retried batch) is skipped and not counted twice. Returns the rows inserted.
 */
export function spendLogInserter(db: DatabaseSync): (rows: SpendLogRow[]) => number {
  const cols = Object.values(spendLogColumns);
  const insertLog = db.prepare(`INSERT INTO spend_logs (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT (request_id) DO NOTHING`);
  const addToRollup = sqliteRollupWriter(db);
  const addKeySpend = db.prepare("UPDATE keys SET spend = spend + ? WHERE token = ?");
  const addEntitySpend = db.prepare(`
    INSERT INTO budget_entities (kind, id, spend, request_count, last_request_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (kind, id) DO UPDATE SET spend = budget_entities.spend + excluded.spend,
      request_count = budget_entities.request_count + excluded.request_count,
      last_request_at = MAX(COALESCE(budget_entities.last_request_at, ''), excluded.last_request_at),
      updated_at = excluded.updated_at`);

  return (rows) => {
    if (rows.length === 0) return 0;
    return transaction(db, () => {
      const inserted: SpendLogRow[] = [];
      for (const row of rows) {
        if (Number(insertLog.run(...fields.map((field) => encode(row[field]))).changes) > 0) inserted.push(row);
      }
      const totals = spendTotals(inserted);
      const now = new Date().toISOString();
      for (const [token, amount] of totals.keys) addKeySpend.run(amount, token);
      for (const t of totals.entities) addEntitySpend.run(t.kind, t.id, t.spend, t.requests, t.lastRequestAt, now, now);
      addToRollup(inserted);
      return inserted.length;
    });
  };
}

function encode(value: unknown): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  return value as string | number;
}
