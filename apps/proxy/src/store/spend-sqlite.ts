import type { DatabaseSync } from "node:sqlite";
import { parseDuration } from "../keys/duration.ts";
import {
  nextBudgetReset,
  type BudgetEntityKind,
  type BudgetEntityPatch,
  type BudgetEntityRow,
  type SpendLogRow,
  type SpendStore,
} from "./spend-types.ts";
import { spendLogColumns } from "./spend-columns.ts";
import { transaction } from "./sqlite-transaction.ts";

type Row = Record<string, unknown>;

/**
 * The spend half of the SQLite store. Inserts go where the caller says: a file store sends them to a thread with its
 * own connection (`spend-sqlite-thread.ts`); a `:memory:` one runs them on this connection.
 */
export function sqliteSpendMethods(db: DatabaseSync, insert: SpendStore["insertSpendLogs"]): SpendStore {
  const selectEntity = db.prepare("SELECT * FROM budget_entities WHERE kind = ? AND id = ?");
  const getEntity = (kind: BudgetEntityKind, id: string) => {
    const row = selectEntity.get(kind, id);
    return row ? entityFromRow(row) : null;
  };

  return {
    insertSpendLogs: insert,
    async querySpendLogs(filter) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (filter.apiKey !== undefined) (where.push("api_key = ?"), args.push(filter.apiKey));
      if (filter.userId !== undefined) (where.push("user_id = ?"), args.push(filter.userId));
      if (filter.endUser !== undefined) (where.push("end_user = ?"), args.push(filter.endUser));
      if (filter.model !== undefined) (where.push("model = ?"), args.push(filter.model));
      if (filter.from !== undefined) (where.push("start_time >= ?"), args.push(filter.from));
      if (filter.until !== undefined) (where.push("start_time < ?"), args.push(filter.until));
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const total = Number(db.prepare(`SELECT COUNT(*) AS n FROM spend_logs ${clause}`).get(...args)!.n);
      const rows = db
        .prepare(`SELECT * FROM spend_logs ${clause} ORDER BY start_time DESC, request_id LIMIT ? OFFSET ?`)
        .all(...args, filter.limit, filter.offset)
        .map(logFromRow);
      return { rows, total };
    },
    async getBudgetEntity(kind, id) {
      return getEntity(kind, id);
    },
    async upsertBudgetEntity(kind, id, patch, options = {}) {
      return transaction(db, () => {
        const existing = getEntity(kind, id);
        if (!existing && options.mustExist) return null;
        const now = new Date().toISOString();
        const values = encodePatch(patch);
        if (!existing) {
          const all: Row = { kind, id, ...values, created_at: now, updated_at: now };
          const names = Object.keys(all);
          db.prepare(`INSERT INTO budget_entities (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).run(...(Object.values(all) as (string | number | null)[]));
        } else {
          const names = Object.keys(values);
          const set = [...names.map((n) => `${n} = ?`), "updated_at = ?"].join(", ");
          db.prepare(`UPDATE budget_entities SET ${set} WHERE kind = ? AND id = ?`).run(...(Object.values(values) as (string | number | null)[]), now, kind, id);
        }
        return getEntity(kind, id);
      });
    },
    async resetExpiredBudgets(now) {
      const at = now.getTime();
      const iso = now.toISOString();
      return transaction(db, () => {
        let reset = 0;
        const targets: [string, string][] = [
          ["keys", "token"],
          ["budget_entities", "kind || char(0) || id"],
        ];
        for (const [table, idExpr] of targets) {
          const due = db
            .prepare(`SELECT ${idExpr} AS ref, budget_duration, budget_reset_at FROM ${table} WHERE budget_duration IS NOT NULL AND (budget_reset_at IS NULL OR budget_reset_at <= ?)`)
            .all(iso);
          for (const r of due) {
            const ms = parseDuration(r.budget_duration as string);
            if (ms === null || ms === 0) continue;
            const next = nextBudgetReset(r.budget_reset_at as string | null, ms, at);
            if (r.budget_reset_at === null) {
              db.prepare(`UPDATE ${table} SET budget_reset_at = ? WHERE ${idExpr} = ?`).run(next, r.ref as string);
            } else {
              db.prepare(`UPDATE ${table} SET spend = 0, budget_reset_at = ?, updated_at = ? WHERE ${idExpr} = ?`).run(next, iso, r.ref as string);
              reset++;
            }
          }
        }
        return reset;
      });
    },
  };
}

function encodePatch(patch: BudgetEntityPatch): Row {
  const out: Row = {};
  if (patch.maxBudget !== undefined) out.max_budget = patch.maxBudget;
  if (patch.budgetDuration !== undefined) out.budget_duration = patch.budgetDuration;
  if (patch.budgetResetAt !== undefined) out.budget_reset_at = patch.budgetResetAt;
  if (patch.rpmLimit !== undefined) out.rpm_limit = patch.rpmLimit;
  if (patch.tpmLimit !== undefined) out.tpm_limit = patch.tpmLimit;
  if (patch.metadata !== undefined) out.metadata = JSON.stringify(patch.metadata);
  if (patch.allowedRegions !== undefined) out.allowed_regions = JSON.stringify(patch.allowedRegions);
  return out;
}

function logFromRow(r: Row): SpendLogRow {
  const out: Row = {};
  for (const [field, column] of Object.entries(spendLogColumns)) out[field] = r[column];
  out.usageComplete = r.usage_complete === null ? null : Number(r.usage_complete) === 1;
  out.spend = r.spend === null ? null : Number(r.spend);
  for (const n of ["status", "latencyMs", "inputTokens", "outputTokens", "cacheReadInputTokens", "cacheWriteInputTokens"]) out[n] = Number(out[n]);
  out.ttfbMs = r.ttfb_ms === null ? null : Number(r.ttfb_ms);
  return out as unknown as SpendLogRow;
}

function entityFromRow(r: Row): BudgetEntityRow {
  return {
    kind: r.kind as BudgetEntityKind,
    id: r.id as string,
    spend: Number(r.spend),
    maxBudget: r.max_budget === null ? null : Number(r.max_budget),
    budgetDuration: r.budget_duration as string | null,
    budgetResetAt: r.budget_reset_at as string | null,
    rpmLimit: r.rpm_limit === null ? null : Number(r.rpm_limit),
    tpmLimit: r.tpm_limit === null ? null : Number(r.tpm_limit),
    metadata: JSON.parse(r.metadata as string),
    allowedRegions: JSON.parse(r.allowed_regions as string),
    requestCount: Number(r.request_count),
    lastRequestAt: r.last_request_at as string | null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}
