import { Elysia } from "elysia";
import type { BudgetUsageList, GatewayInfo, KeySearchResponse, SpendReport } from "@bedrock-gateway/api-types";
import type { KeyCache } from "../keys/key-cache.ts";
import { dateParam } from "./spend.ts";
import type { SpendBucket, SpendFiguresRow, SpendGroupBy, KeyState } from "../store/aggregates/types.ts";
import type { Store } from "../store/types.ts";
import { createAdminAuth } from "./auth.ts";
import { keyInfo } from "./keys.ts";
import { createAdminRoute } from "./route.ts";
import { BadRequest, intParam } from "./validate.ts";

export interface AggregateRoutesOptions {
  masterKey: string | null;
  cache: KeyCache;
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
export function aggregateRoutes(options: AggregateRoutesOptions) {
  const { store } = options;
  const now = options.now ?? Date.now;
  const route = createAdminRoute(createAdminAuth(options.masterKey, options.cache));

  return new Elysia()
    .get("/spend/report", route("GET /spend/report", async (request) => {
      const q = new URL(request.url).searchParams;
      const bucket = oneOf<SpendBucket>(q.get("bucket"), "bucket", ["hour", "day"], "day");
      const groupBy = oneOf<SpendGroupBy>(q.get("group_by"), "group_by", ["key", "user", "team", "end_user", "model"], "model");
      const limit = intParam(q.get("limit"), "limit", 8, 1, 50);
      // Whole buckets only (the figures come from an hourly and daily rollup): the range is rounded out to them.
      const bucketMs = bucket === "hour" ? 3_600_000 : DAY_MS;
      const endParam = dateParam(q.get("end_date"), "end_date", "end");
      const untilMs = Math.ceil((endParam ? Date.parse(endParam) : now()) / bucketMs) * bucketMs;
      const startParam = dateParam(q.get("start_date"), "start_date", "start");
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
      } satisfies SpendReport;
    }))
    .get("/spend/budgets", route("GET /spend/budgets", async (request) => {
      const limit = intParam(new URL(request.url).searchParams.get("limit"), "limit", 100, 1, 500);
      const rows = await store.budgetUsage(limit);
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
      } satisfies BudgetUsageList;
    }))
    .get("/key/search", route("GET /key/search", async (request) => {
      const q = new URL(request.url).searchParams;
      const page = intParam(q.get("page"), "page", 1, 1, 1_000_000);
      const size = intParam(q.get("size"), "size", 20, 1, 100);
      const text = q.get("q")?.trim() || undefined;
      if (text && text.length > 200) throw new BadRequest("q must be at most 200 characters.");
      const state = q.get("state") ? oneOf<KeyState>(q.get("state"), "state", ["active", "blocked", "expired"], "active") : undefined;
      const { rows, total } = await store.searchKeys({
        text,
        state,
        userId: q.get("user_id") || undefined,
        teamId: q.get("team_id") || undefined,
        model: q.get("model") || undefined,
        now: new Date(now()).toISOString(),
        offset: (page - 1) * size,
        limit: size,
      });
      return { keys: rows.map(keyInfo), total_count: total, current_page: page, total_pages: Math.ceil(total / size) } satisfies KeySearchResponse;
    }))
    .get("/health/info", route("GET /health/info", async () => ({
      version: options.instance.version,
      runtime: options.instance.runtime,
      started_at: new Date(options.instance.startedAt).toISOString(),
      uptime_seconds: Math.round((now() - options.instance.startedAt) / 1000),
      storage: store.driver,
    }) satisfies GatewayInfo));
}

function oneOf<T extends string>(value: string | null, name: string, allowed: T[], fallback: T): T {
  if (value === null || value === "") return fallback;
  if (!(allowed as string[]).includes(value)) throw new BadRequest(`${name} must be one of ${allowed.join(", ")}.`);
  return value as T;
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
