import type { DatabaseSync } from "node:sqlite";
import type { KeyRow } from "../types.ts";
import { budgetFromRow, figures, groupOf, rollupRange, seriesPoint, topGroups, type FiguresColumns } from "./report-shape.ts";
import type { AggregateStore, KeySearchQuery } from "./types.ts";

type Row = Record<string, unknown>;

/** Sums of rollup rows (see migrations/spend-rollup.ts), under the column names both drivers share. */
const FIGURES = `SUM(spend) AS spend, SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens, SUM(unpriced) AS unpriced`;

/** The aggregates on SQLite; `keyFromRow` decodes a keys row as the key store does. */
export function sqliteAggregateMethods(db: DatabaseSync, keyFromRow: (row: Row) => KeyRow): AggregateStore {
  return {
    async spendReport(query) {
      const { grain, from, until } = rollupRange(query);
      const range = "grain = ? AND dim = ? AND bucket >= ? AND bucket < ?";
      const args = [grain, query.groupBy, from, until];
      const all = db
        .prepare(`SELECT grp, MAX(label) AS label, ${FIGURES} FROM spend_rollup WHERE ${range} GROUP BY grp ORDER BY spend DESC, requests DESC`)
        .all(...args)
        .map((r) => ({ group: groupOf(r.grp), label: (r.label as string | null) ?? null, ...figures(r as unknown as FiguresColumns) }));
      const { totals, groups, topIds } = topGroups(all, query.limit);
      const named = topIds.filter((id): id is string => id !== null);
      const noneTag = topIds.includes(null) ? "'n'" : "'o'";
      const inList = named.length ? `WHEN grp IN (${named.map(() => "?").join(", ")}) THEN 'g:' || grp` : "";
      const series = db
        .prepare(`SELECT bucket, CASE WHEN grp = '' THEN ${noneTag} ${inList} ELSE 'o' END AS tag, ${FIGURES} FROM spend_rollup WHERE ${range} GROUP BY 1, 2 ORDER BY 1`)
        .all(...named, ...args)
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
