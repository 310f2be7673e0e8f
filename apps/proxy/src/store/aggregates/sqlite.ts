import type { DatabaseSync } from "node:sqlite";
import type { KeyRow } from "../types.ts";
import { figures, seriesPoint, topGroups, type FiguresColumns } from "./report-shape.ts";
import { groupColumns, type AggregateStore, type BudgetUsageRow, type KeySearchQuery } from "./types.ts";

type Row = Record<string, unknown>;

const FIGURES = `COALESCE(SUM(spend), 0) AS spend, COUNT(*) AS requests, SUM(status >= 400) AS errors,
  SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(spend IS NULL) AS unpriced`;

/** start_time is ISO-8601 text in UTC, so a bucket is a prefix of it. */
const BUCKET = { hour: "substr(start_time, 1, 13)", day: "substr(start_time, 1, 10)" } as const;

/** The aggregates on SQLite; `keyFromRow` decodes a keys row as the key store does. */
export function sqliteAggregateMethods(db: DatabaseSync, keyFromRow: (row: Row) => KeyRow): AggregateStore {
  return {
    async spendReport(query) {
      const column = groupColumns[query.groupBy];
      const label = query.groupBy === "key" ? "MAX(key_alias)" : "NULL";
      const range = "start_time >= ? AND start_time < ?";
      const all = db
        .prepare(`SELECT ${column} AS grp, ${label} AS label, ${FIGURES} FROM spend_logs WHERE ${range} GROUP BY ${column} ORDER BY spend DESC, requests DESC`)
        .all(query.from, query.until)
        .map((r) => ({ group: (r.grp as string | null) ?? null, label: (r.label as string | null) ?? null, ...figures(r as unknown as FiguresColumns) }));
      const { totals, groups, topIds } = topGroups(all, query.limit);
      const named = topIds.filter((id): id is string => id !== null);
      const nullTag = topIds.includes(null) ? "'n'" : "'o'";
      const inList = named.length ? `WHEN ${column} IN (${named.map(() => "?").join(", ")}) THEN 'g:' || ${column}` : "";
      const tag = `CASE WHEN ${column} IS NULL THEN ${nullTag} ${inList} ELSE 'o' END`;
      const series = db
        .prepare(`SELECT ${BUCKET[query.bucket]} AS bucket, ${tag} AS tag, ${FIGURES} FROM spend_logs WHERE ${range} GROUP BY 1, 2 ORDER BY 1`)
        .all(...named, query.from, query.until)
        .map((r) => seriesPoint(r as unknown as FiguresColumns & { bucket: string; tag: string }));
      return { totals, groups, series };
    },

    async budgetUsage(limit) {
      return db
        .prepare(
          `SELECT * FROM (
             SELECT 'key' AS kind, token AS id, key_alias AS label, spend, max_budget, budget_duration, budget_reset_at FROM keys WHERE max_budget IS NOT NULL
             UNION ALL
             SELECT kind, id, NULL, spend, max_budget, budget_duration, budget_reset_at FROM budget_entities WHERE max_budget IS NOT NULL
           ) ORDER BY CASE WHEN max_budget > 0 THEN spend / max_budget ELSE 1e18 END DESC, id LIMIT ?`,
        )
        .all(limit)
        .map(budgetFromRow);
    },

    async searchKeys(query) {
      const { clause, args } = keyFilter(query);
      const total = Number(db.prepare(`SELECT COUNT(*) AS n FROM keys ${clause}`).get(...args)!.n);
      const rows = db.prepare(`SELECT * FROM keys ${clause} ORDER BY created_at DESC, token LIMIT ? OFFSET ?`).all(...args, query.limit, query.offset).map(keyFromRow);
      return { rows, total };
    },
  };
}

function keyFilter(query: KeySearchQuery): { clause: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (query.text) {
    const like = `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c)}%`;
    where.push(
      `(lower(COALESCE(key_alias, '')) LIKE ? ESCAPE '\\' OR lower(key_name) LIKE ? ESCAPE '\\' OR lower(COALESCE(user_id, '')) LIKE ? ESCAPE '\\'
        OR lower(COALESCE(team_id, '')) LIKE ? ESCAPE '\\' OR lower(COALESCE(aws_access_key_id, '')) LIKE ? ESCAPE '\\' OR token LIKE ? ESCAPE '\\')`,
    );
    args.push(like, like, like, like, like, like.slice(1));
  }
  if (query.state === "blocked") where.push("blocked = 1");
  if (query.state === "expired") (where.push("blocked = 0 AND expires IS NOT NULL AND expires <= ?"), args.push(query.now));
  if (query.state === "active") (where.push("blocked = 0 AND (expires IS NULL OR expires > ?)"), args.push(query.now));
  if (query.userId !== undefined) (where.push("user_id = ?"), args.push(query.userId));
  if (query.teamId !== undefined) (where.push("team_id = ?"), args.push(query.teamId));
  if (query.model !== undefined) (where.push("EXISTS (SELECT 1 FROM json_each(keys.models) WHERE value = ?)"), args.push(query.model));
  return { clause: where.length ? `WHERE ${where.join(" AND ")}` : "", args };
}

function budgetFromRow(r: Row): BudgetUsageRow {
  return {
    kind: r.kind as BudgetUsageRow["kind"],
    id: r.id as string,
    label: (r.label as string | null) ?? null,
    spend: Number(r.spend),
    maxBudget: Number(r.max_budget),
    budgetDuration: (r.budget_duration as string | null) ?? null,
    budgetResetAt: (r.budget_reset_at as string | null) ?? null,
  };
}
