import type { Dialect, SqlDatabase } from "../sql/database.ts";
import { marks, page, Where } from "../sql/statements.ts";
import { keyColumns } from "../tables.ts";
import { Columns } from "../sql/columns.ts";
import { figures, groupOf, rollupRange, seriesPoint, topGroups, type FiguresColumns } from "./report-shape.ts";
import type { AggregateStore, BudgetUsageRow, KeySearchQuery } from "./types.ts";

/** Sums of rollup rows (see migrations/spend-rollup.ts), under the column names report-shape.ts reads. */
const FIGURES = `SUM(spend) AS spend, SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens, SUM(unpriced) AS unpriced`;

const budgetUsageColumns = new Columns<BudgetUsageRow>({
  kind: "text", id: "text", label: "text", spend: "number", maxBudget: "number", budgetDuration: "text", budgetResetAt: "time",
});

/** What the admin page shows: spend by group over time, budgets, and a key search. */
export function aggregateMethods(db: SqlDatabase): AggregateStore {
  const d = db.dialect;
  return {
    async spendReport(query) {
      const { grain, from, until } = rollupRange(query);
      const range = "grain = ? AND dim = ? AND bucket >= ? AND bucket < ?";
      const args = [grain, query.groupBy, from, until];
      const all = (await db.all(`SELECT grp, MAX(label) AS label, ${FIGURES} FROM spend_rollup WHERE ${range} GROUP BY grp ORDER BY spend DESC, requests DESC`, args)).map(
        (r) => ({ group: groupOf(r.grp), label: (r.label as string | null) ?? null, ...figures(r as unknown as FiguresColumns) }),
      );
      const { totals, groups, topIds } = topGroups(all, query.limit);
      const named = topIds.filter((id): id is string => id !== null);
      const noneTag = topIds.includes(null) ? "'n'" : "'o'";
      const inList = named.length ? `WHEN grp IN (${marks(named.length)}) THEN 'g:' || grp` : "";
      const rows = await db.all(
        `SELECT bucket, CASE WHEN grp = '' THEN ${noneTag} ${inList} ELSE 'o' END AS tag, ${FIGURES} FROM spend_rollup WHERE ${range} GROUP BY 1, 2 ORDER BY 1`,
        [...named, ...args],
      );
      const series = rows.map((r) => seriesPoint(r as unknown as FiguresColumns & { bucket: string; tag: string }));
      return { totals, groups, series };
    },

    async budgetUsage(limit) {
      const ranked = await db.all(
        `SELECT * FROM (
           SELECT 'key' AS kind, token AS id, key_alias AS label, spend, max_budget, budget_duration, budget_reset_at FROM keys WHERE max_budget IS NOT NULL
           UNION ALL
           SELECT kind, id, NULL, spend, max_budget, budget_duration, budget_reset_at FROM budget_entities WHERE max_budget IS NOT NULL
         ) b ORDER BY CASE WHEN max_budget > 0 THEN spend / max_budget ELSE 1e18 END DESC, id LIMIT ?`,
        [limit],
      );
      return ranked.map((r) => budgetUsageColumns.read(d, r));
    },

    async searchKeys(query) {
      const { rows, total } = await page(db, "keys", keyFilter(d, query), "created_at DESC, token", query);
      return { rows: rows.map((r) => keyColumns.read(d, r)), total };
    },
  };
}

function keyFilter(d: Dialect, query: KeySearchQuery): Where {
  const where = new Where();
  if (query.text) {
    const like = `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c)}%`;
    const matches = (column: string) => `${column} LIKE ? ESCAPE '\\'`;
    const columns = ["lower(COALESCE(key_alias, ''))", "lower(key_name)", "lower(COALESCE(user_id, ''))", "lower(COALESCE(team_id, ''))", "lower(COALESCE(aws_access_key_id, ''))"];
    where.and(`(${[...columns, "token"].map(matches).join(" OR ")})`, ...columns.map(() => like), like.slice(1));
  }
  const blocked = d.codecs.bool.write(true);
  const unblocked = d.codecs.bool.write(false);
  if (query.state === "blocked") where.and("blocked = ?", blocked);
  if (query.state === "expired") where.and("blocked = ? AND expires IS NOT NULL AND expires <= ?", unblocked, query.now);
  if (query.state === "active") where.and("blocked = ? AND (expires IS NULL OR expires > ?)", unblocked, query.now);
  return where.equals("user_id", query.userId).equals("team_id", query.teamId).given(d.arrayHas("keys.models"), query.model);
}
