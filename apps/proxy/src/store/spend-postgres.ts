import type postgres from "postgres";
import { parseDuration } from "../keys/duration.ts";
import { nextBudgetReset, type BudgetEntityKind, type BudgetEntityRow, type SpendLogRow, type SpendStore } from "./spend-types.ts";
import { spendLogColumns, spendTotals } from "./spend-columns.ts";

type Sql = postgres.Sql;
type Row = Record<string, unknown>;

/** The spend half of the PostgreSQL store. */
export function postgresSpendMethods(sql: Sql): SpendStore {
  const getEntity = async (q: Sql | postgres.TransactionSql, kind: BudgetEntityKind, id: string) => {
    const [row] = await q`SELECT * FROM budget_entities WHERE kind = ${kind} AND id = ${id}`;
    return row ? entityFromRow(row) : null;
  };

  return {
    async insertSpendLogs(rows) {
      if (rows.length === 0) return 0;
      return sql.begin(async (tx) => {
        const values = rows.map((row) => {
          const out: Row = {};
          for (const [field, column] of Object.entries(spendLogColumns)) out[column] = row[field as keyof SpendLogRow] ?? null;
          return out;
        });
        const ids = new Set<string>();
        // Bind parameters are capped at 65,535 per statement: 26 columns × 1,000 rows stays under it.
        for (let i = 0; i < values.length; i += 1000) {
          const part = values.slice(i, i + 1000);
          const inserted = await tx`INSERT INTO spend_logs ${tx(part as Record<string, any>[], Object.values(spendLogColumns))} ON CONFLICT (request_id) DO NOTHING RETURNING request_id`;
          for (const r of inserted) ids.add(r.request_id as string);
        }
        const totals = spendTotals(rows.filter((r) => ids.has(r.requestId)));
        // Sorted so that concurrent batches lock rows in the same order and cannot deadlock.
        for (const [token, amount] of [...totals.keys].sort(([a], [b]) => (a < b ? -1 : 1))) {
          await tx`UPDATE keys SET spend = spend + ${amount} WHERE token = ${token}`;
        }
        const now = new Date();
        for (const t of totals.entities.sort((a, b) => (a.kind + a.id < b.kind + b.id ? -1 : 1))) {
          await tx`
            INSERT INTO budget_entities (kind, id, spend, request_count, last_request_at, created_at, updated_at)
            VALUES (${t.kind}, ${t.id}, ${t.spend}, ${t.requests}, ${t.lastRequestAt}, ${now}, ${now})
            ON CONFLICT (kind, id) DO UPDATE SET spend = budget_entities.spend + excluded.spend,
              request_count = budget_entities.request_count + excluded.request_count,
              last_request_at = GREATEST(budget_entities.last_request_at, excluded.last_request_at),
              updated_at = excluded.updated_at`;
        }
        return ids.size;
      });
    },
    async querySpendLogs(filter) {
      const conditions = [
        filter.apiKey !== undefined ? sql`api_key = ${filter.apiKey}` : null,
        filter.userId !== undefined ? sql`user_id = ${filter.userId}` : null,
        filter.endUser !== undefined ? sql`end_user = ${filter.endUser}` : null,
        filter.model !== undefined ? sql`model = ${filter.model}` : null,
        filter.from !== undefined ? sql`start_time >= ${filter.from}` : null,
        filter.until !== undefined ? sql`start_time < ${filter.until}` : null,
      ].filter((c) => c !== null);
      const where = conditions.length ? conditions.slice(1).reduce((acc, c) => sql`${acc} AND ${c}`, sql`WHERE ${conditions[0]}`) : sql``;
      const [{ n }] = await sql`SELECT COUNT(*)::int AS n FROM spend_logs ${where}`;
      const rows = await sql`SELECT * FROM spend_logs ${where} ORDER BY start_time DESC, request_id LIMIT ${filter.limit} OFFSET ${filter.offset}`;
      return { rows: rows.map(logFromRow), total: n as number };
    },
    getBudgetEntity: (kind, id) => getEntity(sql, kind, id),
    async upsertBudgetEntity(kind, id, patch, options = {}) {
      const values: Row = {};
      if (patch.maxBudget !== undefined) values.max_budget = patch.maxBudget;
      if (patch.budgetDuration !== undefined) values.budget_duration = patch.budgetDuration;
      if (patch.budgetResetAt !== undefined) values.budget_reset_at = patch.budgetResetAt;
      if (patch.rpmLimit !== undefined) values.rpm_limit = patch.rpmLimit;
      if (patch.tpmLimit !== undefined) values.tpm_limit = patch.tpmLimit;
      if (patch.metadata !== undefined) values.metadata = sql.json(patch.metadata as any);
      if (patch.allowedRegions !== undefined) values.allowed_regions = sql.json(patch.allowedRegions as any);
      const now = new Date();
      if (options.mustExist) {
        const rows = await sql`UPDATE budget_entities SET ${sql({ ...values, updated_at: now } as Record<string, any>)} WHERE kind = ${kind} AND id = ${id} RETURNING *`;
        return rows.length ? entityFromRow(rows[0]) : null;
      }
      const insert = { kind, id, ...values, created_at: now, updated_at: now };
      const update = { ...values, updated_at: now };
      const [row] = await sql`
        INSERT INTO budget_entities ${sql(insert as Record<string, any>)}
        ON CONFLICT (kind, id) DO UPDATE SET ${sql(update as Record<string, any>)}
        RETURNING *`;
      return entityFromRow(row);
    },
    async resetExpiredBudgets(now) {
      const at = now.getTime();
      return sql.begin(async (tx) => {
        let reset = 0;
        const keys = await tx`SELECT token, budget_duration, budget_reset_at FROM keys WHERE budget_duration IS NOT NULL AND (budget_reset_at IS NULL OR budget_reset_at <= ${now}) FOR UPDATE SKIP LOCKED`;
        for (const r of keys) {
          const next = nextReset(r, at);
          if (next === null) continue;
          if (r.budget_reset_at === null) await tx`UPDATE keys SET budget_reset_at = ${next} WHERE token = ${r.token}`;
          else (await tx`UPDATE keys SET spend = 0, budget_reset_at = ${next}, updated_at = ${now} WHERE token = ${r.token}`, reset++);
        }
        const entities = await tx`SELECT kind, id, budget_duration, budget_reset_at FROM budget_entities WHERE budget_duration IS NOT NULL AND (budget_reset_at IS NULL OR budget_reset_at <= ${now}) FOR UPDATE SKIP LOCKED`;
        for (const r of entities) {
          const next = nextReset(r, at);
          if (next === null) continue;
          if (r.budget_reset_at === null) await tx`UPDATE budget_entities SET budget_reset_at = ${next} WHERE kind = ${r.kind} AND id = ${r.id}`;
          else (await tx`UPDATE budget_entities SET spend = 0, budget_reset_at = ${next}, updated_at = ${now} WHERE kind = ${r.kind} AND id = ${r.id}`, reset++);
        }
        return reset;
      });
    },
  };
}

function nextReset(r: Row, now: number): string | null {
  const ms = parseDuration(r.budget_duration as string);
  if (ms === null || ms === 0) return null;
  return nextBudgetReset(iso(r.budget_reset_at), ms, now);
}

const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string | Date).toISOString());

function logFromRow(r: Row): SpendLogRow {
  const out: Row = {};
  for (const [field, column] of Object.entries(spendLogColumns)) out[field] = r[column];
  out.startTime = iso(r.start_time);
  out.endTime = iso(r.end_time);
  out.spend = r.spend === null ? null : Number(r.spend);
  return out as unknown as SpendLogRow;
}

function entityFromRow(r: Row): BudgetEntityRow {
  return {
    kind: r.kind as BudgetEntityKind,
    id: r.id as string,
    spend: Number(r.spend),
    maxBudget: r.max_budget === null ? null : Number(r.max_budget),
    budgetDuration: r.budget_duration as string | null,
    budgetResetAt: iso(r.budget_reset_at),
    rpmLimit: r.rpm_limit as number | null,
    tpmLimit: r.tpm_limit as number | null,
    metadata: r.metadata as Record<string, unknown>,
    allowedRegions: r.allowed_regions as string[],
    requestCount: Number(r.request_count),
    lastRequestAt: iso(r.last_request_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}
