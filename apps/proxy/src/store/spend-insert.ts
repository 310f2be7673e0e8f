import { setBounded } from "../cache/bounded-map.ts";
import { addToRollup } from "./aggregates/rollup-batch.ts";
import type { Dialect, SqlDatabase, SqlSession, SqlValue } from "./sql/database.ts";
import { marks } from "./sql/statements.ts";
import { spendLogColumns } from "./tables.ts";
import type { BudgetEntityKind, SpendLogRow } from "./spend-types.ts";

/**
 * Inserts a batch of spend rows and adds their totals to keys, budget entities and (where no trigger does) the
 * rollup, in one transaction. A row already stored (a retried batch) is skipped and not counted twice. Returns
 * the rows inserted.
 */
export async function insertSpendBatch(db: SqlDatabase, rows: SpendLogRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const d = db.dialect;
  return db.transaction(async (tx) => {
    const inserted = await insertNew(tx, d, rows);
    const totals = spendTotals(inserted);
    // Sorted so that concurrent batches lock rows in the same order and cannot deadlock.
    for (const [token, amount] of [...totals.keys].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await tx.run("UPDATE keys SET spend = spend + ? WHERE token = ?", [amount, token]);
    }
    const now = new Date().toISOString();
    const addToEntity = `
      INSERT INTO budget_entities (kind, id, spend, request_count, last_request_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (kind, id) DO UPDATE SET spend = budget_entities.spend + excluded.spend,
        request_count = budget_entities.request_count + excluded.request_count,
        last_request_at = ${d.later("budget_entities.last_request_at", "excluded.last_request_at")},
        updated_at = excluded.updated_at`;
    for (const t of totals.entities.sort((a, b) => (a.kind + a.id < b.kind + b.id ? -1 : 1))) {
      await tx.run(addToEntity, [t.kind, t.id, t.spend, t.requests, t.lastRequestAt, now, now]);
    }
    if (!d.rollupByTrigger) await addToRollup(tx, inserted);
    return inserted.length;
  });
}

const columns = spendLogColumns.names;
const insert = (values: string) => `INSERT INTO spend_logs (${columns.join(", ")}) VALUES ${values} ON CONFLICT (request_id) DO NOTHING`;
const oneRow = `(${marks(columns.length)})`;
const insertOne = insert(oneRow);
const insertManyTexts = new Map<number, string>();

/** The INSERT of `count` rows that names the rows it stored, built once per count (drivers keep prepared statements by text). */
function insertMany(count: number): string {
  let text = insertManyTexts.get(count);
  if (text === undefined) setBounded(insertManyTexts, count, (text = `${insert(Array(count).fill(oneRow).join(", "))} RETURNING request_id`), 16);
  return text;
}

/** The rows of `rows` that were not stored yet, stored now (a request id twice in one batch counts once). */
async function insertNew(tx: SqlSession, d: Dialect, rows: SpendLogRow[]): Promise<SpendLogRow[]> {
  if (d.spendRowsPerInsert === 1) {
    // Whether the row was new is whether the statement changed a row: cheaper than RETURNING on SQLite.
    const stored: SpendLogRow[] = [];
    for (const row of rows) if ((await tx.run(insertOne, spendLogColumns.values(d, row))) > 0) stored.push(row);
    return stored;
  }
  const stored = new Set<string>();
  for (let i = 0; i < rows.length; i += d.spendRowsPerInsert) {
    const part = rows.slice(i, i + d.spendRowsPerInsert);
    const args: SqlValue[] = [];
    for (const row of part) spendLogColumns.values(d, row, args);
    for (const r of await tx.all(insertMany(part.length), args)) stored.add(r.request_id as string);
  }
  return rows.filter((row) => stored.delete(row.requestId));
}

interface EntityTotal {
  kind: BudgetEntityKind;
  id: string;
  spend: number;
  requests: number;
  lastRequestAt: string;
}

/** What a batch adds to each key and entity: spend (unknown cost counts 0) and, for entities, requests. */
function spendTotals(rows: SpendLogRow[]): { keys: Map<string, number>; entities: EntityTotal[] } {
  const keys = new Map<string, number>();
  const entities = new Map<string, EntityTotal>();
  for (const row of rows) {
    const amount = row.spend ?? 0;
    if (row.apiKey !== null) keys.set(row.apiKey, (keys.get(row.apiKey) ?? 0) + amount);
    const refs: [BudgetEntityKind, string | null][] = [["user", row.userId], ["team", row.teamId], ["end_user", row.endUser]];
    for (const [kind, id] of refs) {
      if (id === null) continue;
      const ref = `${kind}\u0000${id}`;
      const total = entities.get(ref) ?? { kind, id, spend: 0, requests: 0, lastRequestAt: row.startTime };
      total.spend += amount;
      total.requests += 1;
      if (row.startTime > total.lastRequestAt) total.lastRequestAt = row.startTime;
      entities.set(ref, total);
    }
  }
  return { keys, entities: [...entities.values()] };
}
