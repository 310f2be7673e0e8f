import type postgres from "postgres";
import type { KeyRow } from "../types.ts";
import { figures, seriesPoint, topGroups, type FiguresColumns } from "./report-shape.ts";
import { groupColumns, type AggregateStore, type BudgetUsageRow, type KeySearchQuery } from "./types.ts";

type Sql = postgres.Sql;
type Row = Record<string, unknown>;

/** The aggregates on PostgreSQL; `keyFromRow` decodes a keys row as the key store does. */
export function postgresAggregateMethods(sql: Sql, keyFromRow: (row: Row) => KeyRow): AggregateStore {
  const figuresSql = sql.unsafe(`COALESCE(SUM(spend), 0)::float8 AS spend, COUNT(*)::int8 AS requests, COUNT(*) FILTER (WHERE status >= 400)::int8 AS errors,
    COALESCE(SUM(input_tokens), 0)::int8 AS input_tokens, COALESCE(SUM(output_tokens), 0)::int8 AS output_tokens, COUNT(*) FILTER (WHERE spend IS NULL)::int8 AS unpriced`);
  return {
    async spendReport(query) {
      const column = sql(groupColumns[query.groupBy]);
      const label = query.groupBy === "key" ? sql`MAX(key_alias)` : sql`NULL::text`;
      const range = sql`start_time >= ${query.from} AND start_time < ${query.until}`;
      const all = (await sql`SELECT ${column} AS grp, ${label} AS label, ${figuresSql} FROM spend_logs WHERE ${range} GROUP BY ${column} ORDER BY spend DESC, requests DESC`).map(
        (r) => ({ group: (r.grp as string | null) ?? null, label: (r.label as string | null) ?? null, ...figures(r as unknown as FiguresColumns) }),
      );
      const { totals, groups, topIds } = topGroups(all, query.limit);
      const named = topIds.filter((id): id is string => id !== null);
      const nullTag = topIds.includes(null) ? "n" : "o";
      const tag = sql`CASE WHEN ${column} IS NULL THEN ${nullTag} WHEN ${column} = ANY(${named}::text[]) THEN 'g:' || ${column} ELSE 'o' END`;
      // Grouped on the truncated timestamp (cheap), formatted once per bucket as the same text prefix SQLite uses.
      const format = query.bucket === "hour" ? `YYYY-MM-DD"T"HH24` : "YYYY-MM-DD";
      const rows = await sql`
        SELECT to_char(b, ${format}) AS bucket, tag, spend, requests, errors, input_tokens, output_tokens, unpriced FROM (
          SELECT date_trunc(${query.bucket}, start_time AT TIME ZONE 'UTC') AS b, ${tag} AS tag, ${figuresSql}
          FROM spend_logs WHERE ${range} GROUP BY 1, 2
        ) s ORDER BY b`;
      const series = rows.map((r) => seriesPoint(r as unknown as FiguresColumns & { bucket: string; tag: string }));
      return { totals, groups, series };
    },

    async budgetUsage(limit) {
      const ranked = await sql`
        SELECT * FROM (
          SELECT 'key' AS kind, token AS id, key_alias AS label, spend, max_budget, budget_duration, budget_reset_at FROM keys WHERE max_budget IS NOT NULL
          UNION ALL
          SELECT kind, id, NULL, spend, max_budget, budget_duration, budget_reset_at FROM budget_entities WHERE max_budget IS NOT NULL
        ) b ORDER BY CASE WHEN max_budget > 0 THEN spend / max_budget ELSE 1e18 END DESC, id LIMIT ${limit}`;
      return ranked.map(budgetFromRow);
    },

    async searchKeys(query) {
      const where = keyFilter(sql, query);
      const [{ n }] = await sql`SELECT COUNT(*)::int AS n FROM keys ${where}`;
      const rows = await sql`SELECT * FROM keys ${where} ORDER BY created_at DESC, token LIMIT ${query.limit} OFFSET ${query.offset}`;
      return { rows: rows.map(keyFromRow), total: n as number };
    },
  };
}

function keyFilter(sql: Sql, query: KeySearchQuery) {
  const now = new Date(query.now);
  const like = query.text ? `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c)}%` : null;
  const conditions = [
    like !== null
      ? sql`(lower(COALESCE(key_alias, '')) LIKE ${like} OR lower(key_name) LIKE ${like} OR lower(COALESCE(user_id, '')) LIKE ${like}
            OR lower(COALESCE(team_id, '')) LIKE ${like} OR lower(COALESCE(aws_access_key_id, '')) LIKE ${like} OR token LIKE ${like.slice(1)})`
      : null,
    query.state === "blocked" ? sql`blocked` : null,
    query.state === "expired" ? sql`NOT blocked AND expires IS NOT NULL AND expires <= ${now}` : null,
    query.state === "active" ? sql`NOT blocked AND (expires IS NULL OR expires > ${now})` : null,
    query.userId !== undefined ? sql`user_id = ${query.userId}` : null,
    query.teamId !== undefined ? sql`team_id = ${query.teamId}` : null,
    query.model !== undefined ? sql`models @> ${sql.json([query.model])}` : null,
  ].filter((c) => c !== null);
  return conditions.length ? conditions.slice(1).reduce((acc, c) => sql`${acc} AND ${c}`, sql`WHERE ${conditions[0]}`) : sql``;
}

function budgetFromRow(r: Row): BudgetUsageRow {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : ((v as string | null) ?? null));
  return {
    kind: r.kind as BudgetUsageRow["kind"],
    id: r.id as string,
    label: (r.label as string | null) ?? null,
    spend: Number(r.spend),
    maxBudget: Number(r.max_budget),
    budgetDuration: (r.budget_duration as string | null) ?? null,
    budgetResetAt: iso(r.budget_reset_at),
  };
}
