import { parseDuration } from "../keys/duration.ts";
import type { SqlDatabase } from "./sql/database.ts";
import { assignments, insertInto, page, Where } from "./sql/statements.ts";
import { budgetEntityColumns, spendLogColumns } from "./tables.ts";
import { BUDGET_ENTITY_SETTINGS, nextBudgetReset, type SpendStore } from "./spend-types.ts";

/** Tables with a budget window, and the columns that name one of their rows. */
const BUDGET_HOLDERS = [
  { table: "keys", id: ["token"] },
  { table: "budget_entities", id: ["kind", "id"] },
];

/** Spend logs, budget entities and budget windows; `insert` is the driver's way of writing spend rows. */
export function spendMethods(db: SqlDatabase, insert: SpendStore["insertSpendLogs"]): SpendStore {
  const d = db.dialect;
  return {
    insertSpendLogs: insert,
    async querySpendLogs(filter) {
      const where = new Where()
        .equals("api_key", filter.apiKey)
        .equals("user_id", filter.userId)
        .equals("end_user", filter.endUser)
        .equals("model", filter.model)
        .given("start_time >= ?", filter.from)
        .given("start_time < ?", filter.until);
      const { rows, total } = await page(db, "spend_logs", where, "start_time DESC, request_id", filter);
      return { rows: rows.map((r) => spendLogColumns.read(d, r)), total };
    },
    async getBudgetEntity(kind, id) {
      const [row] = await db.all("SELECT * FROM budget_entities WHERE kind = ? AND id = ?", [kind, id]);
      return row ? budgetEntityColumns.read(d, row) : null;
    },
    async upsertBudgetEntity(kind, id, patch, options = {}) {
      const now = new Date().toISOString();
      const values = { ...budgetEntityColumns.write(d, patch, BUDGET_ENTITY_SETTINGS), updated_at: now };
      if (options.mustExist) {
        const [row] = await db.all(`UPDATE budget_entities SET ${assignments(values)} WHERE kind = ? AND id = ? RETURNING *`, [...Object.values(values), kind, id]);
        return row ? budgetEntityColumns.read(d, row) : null;
      }
      const { text, args } = insertInto("budget_entities", { kind, id, ...values, created_at: now });
      const update = Object.keys(values).map((column) => `${column} = excluded.${column}`);
      const [row] = await db.all(`${text} ON CONFLICT (kind, id) DO UPDATE SET ${update.join(", ")} RETURNING *`, args);
      return budgetEntityColumns.read(d, row!);
    },
    async resetExpiredBudgets(now) {
      const at = now.getTime();
      const iso = now.toISOString();
      return db.transaction(async (tx) => {
        let reset = 0;
        for (const { table, id } of BUDGET_HOLDERS) {
          const due = await tx.all(
            `SELECT ${id.join(", ")}, budget_duration, budget_reset_at FROM ${table}
             WHERE budget_duration IS NOT NULL AND (budget_reset_at IS NULL OR budget_reset_at <= ?)${d.lockSelected}`,
            [iso],
          );
          const row = id.map((column) => `${column} = ?`).join(" AND ");
          for (const r of due) {
            const ms = parseDuration(r.budget_duration as string);
            if (ms === null || ms === 0) continue;
            const resetAt = r.budget_reset_at === null ? null : d.codecs.time.read(r.budget_reset_at);
            const next = nextBudgetReset(resetAt, ms, at);
            const ref = id.map((column) => r[column] as string);
            if (resetAt === null) {
              await tx.run(`UPDATE ${table} SET budget_reset_at = ? WHERE ${row}`, [next, ...ref]);
            } else {
              await tx.run(`UPDATE ${table} SET spend = 0, budget_reset_at = ?, updated_at = ? WHERE ${row}`, [next, iso, ...ref]);
              reset++;
            }
          }
        }
        return reset;
      });
    },
  };
}
