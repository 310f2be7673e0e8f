import type postgres from "postgres";
import type { KeyRow } from "../types.ts";
import { budgetFromRow, figures, groupOf, rollupRange, seriesPoint, topGroups, type FiguresColumns } from "./report-shape.ts";
import type { AggregateStore, KeySearchQuery } from "./types.ts";

type Sql = postgres.Sql;
type Row = Record<string, unknown>;

/** The aggregates on PostgreSQL; `keyFromRow` decodes a keys row as the key store does. */
export function postgresAggregateMethods(sql: Sql, keyFromRow: (row: Row) => KeyRow): AggregateStore {
  // Sums of rollup rows (see migrations/spend-rollup.ts), under the column names both drivers share.
  const figuresSql = sql.unsafe(`SUM(spend)::float8 AS spend, SUM(requests)::int8 AS requests, SUM(errors)::int8 AS errors,
    SUM(input_tokens)::int8 AS input_tokens, SUM(output_tokens)::int8 AS output_tokens, SUM(unpriced)::int8 AS unpriced`);
  return {
    async spendReport(query) {
      const { grain, from, until } = rollupRange(query);
      const range = sql`grain = ${grain} AND dim = ${query.groupBy} AND bucket >= ${from} AND bucket < ${until}`;
      const all = (await sql`SELECT grp, MAX(label) AS label, ${figuresSql} FROM spend_rollup WHERE ${range} GROUP BY grp ORDER BY spend DESC, requests DESC`).map(
        (r) => ({ group: groupOf(r.grp), label: (r.label as string | null) ?? null, ...figures(r as unknown as FiguresColumns) }),
      );
      const { totals, groups, topIds } = topGroups(all, query.limit);
      const named = topIds.filter((id): id is string => id !== null);
      const noneTag = topIds.includes(null) ? "n" : "o";
      const tag = sql`CASE WHEN grp = '' THEN ${noneTag} WHEN grp = ANY(${named}::text[]) THEN 'g:' || grp ELSE 'o' END`;
      const rows = await sql`SELECT bucket, ${tag} AS tag, ${figuresSql} FROM spend_rollup WHERE ${range} GROUP BY 1, 2 ORDER BY 1`;
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
