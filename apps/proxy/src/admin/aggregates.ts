import type { SpendFiguresRow } from "../store/aggregates/types.ts";
import type { Store } from "../store/types.ts";
import type { AdminApp, Answer } from "./admin-app.ts";
import { BadRequest } from "./errors.ts";
import { keyInfo } from "./keys.ts";
import { dateParam } from "./spend.ts";
import { specQuery } from "./spec-validation.ts";

export interface AggregateRoutesOptions {
  store: Store;
  /** What /health/info reports about this instance. */
  instance: { version: string; runtime: string; startedAt: number };
  now?: () => number;
}

const DAY_MS = 86_400_000;
/** Hour buckets over a long range would draw thousands of points nobody can read; the page asks for days then. */
const MAX_BUCKETS = 24 * 93;

/**
 * The numbers behind the admin page, computed in SQL: `/spend/report` (totals and series, grouped),
 * `/spend/budgets`, `/key/search` and `/health/info`. Master key only.
 */
export function aggregateRoutes(app: AdminApp, options: AggregateRoutesOptions) {
  const { store } = options;
  const now = options.now ?? Date.now;

  return app
    .get(
      "/spend/report",
      async ({ query }) => {
        const { bucket, group_by: groupBy, limit } = query;
        // Whole buckets only (the figures come from an hourly and daily rollup): the range is rounded out to them.
        const bucketMs = bucket === "hour" ? 3_600_000 : DAY_MS;
        const endParam = dateParam(query.end_date, "end_date", "end");
        const untilMs = Math.ceil((endParam ? Date.parse(endParam) : now()) / bucketMs) * bucketMs;
        const startParam = dateParam(query.start_date, "start_date", "start");
        const fromMs = Math.floor((startParam ? Date.parse(startParam) : untilMs - 7 * DAY_MS) / bucketMs) * bucketMs;
        if (fromMs >= untilMs) throw new BadRequest("start_date must be before end_date.");
        if ((untilMs - fromMs) / bucketMs > MAX_BUCKETS) {
          throw new BadRequest(`Too many ${bucket} buckets: at most ${MAX_BUCKETS} (use bucket=day for long ranges).`);
        }
        const from = new Date(fromMs).toISOString();
        const until = new Date(untilMs).toISOString();
        const report = await store.spendReport({ from, until, bucket, groupBy, limit });
        return {
          start_date: from,
          end_date: until,
          bucket,
          group_by: groupBy,
          totals: figuresJson(report.totals),
          groups: report.groups.map((g) => ({ group: g.group, label: g.label, other: g.other, ...figuresJson(g) })),
          series: report.series.map((p) => ({ bucket: p.bucket, group: p.group, other: p.other, ...figuresJson(p) })),
        } satisfies Answer<"spendReport">;
      },
      { query: specQuery("spendReport", ["bucket", "group_by", "limit"]) },
    )
    .get(
      "/spend/budgets",
      async ({ query }) => {
        const rows = await store.budgetUsage(query.limit);
        return {
          data: rows.map((r) => ({
            kind: r.kind,
            id: r.id,
            label: r.label,
            spend: r.spend,
            max_budget: r.maxBudget,
            budget_duration: r.budgetDuration,
            budget_reset_at: r.budgetResetAt,
          })),
        } satisfies Answer<"spendBudgets">;
      },
      { query: specQuery("spendBudgets", ["limit"]) },
    )
    .get(
      "/key/search",
      async ({ query }) => {
        const { page, size } = query;
        const { rows, total } = await store.searchKeys({
          text: query.q?.trim() || undefined,
          state: query.state,
          userId: query.user_id || undefined,
          teamId: query.team_id || undefined,
          model: query.model || undefined,
          now: new Date(now()).toISOString(),
          offset: (page - 1) * size,
          limit: size,
        });
        return { keys: rows.map(keyInfo), total_count: total, current_page: page, total_pages: Math.ceil(total / size) } satisfies Answer<"searchKeys">;
      },
      { query: specQuery("searchKeys", ["page", "size"]) },
    )
    .get(
      "/health/info",
      () =>
        ({
          version: options.instance.version,
          runtime: options.instance.runtime,
          started_at: new Date(options.instance.startedAt).toISOString(),
          uptime_seconds: Math.round((now() - options.instance.startedAt) / 1000),
          storage: store.driver,
        }) satisfies Answer<"healthInfo">,
    );
}

function figuresJson(f: SpendFiguresRow) {
  return {
    spend: f.spend,
    requests: f.requests,
    errors: f.errors,
    input_tokens: f.inputTokens,
    output_tokens: f.outputTokens,
    unpriced_requests: f.unpricedRequests,
  };
}
