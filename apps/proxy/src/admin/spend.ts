import { Elysia } from "elysia";
import type { components, EndUserInfo, SpendLog, SpendLogsResponse, UserInfo } from "@bedrock-gateway/api-types";
import { createAdminAuth, type AdminCaller } from "./auth.ts";
import { createAdminRoute } from "./route.ts";
import { AdminError, adminErrorResponse } from "./errors.ts";
import { BadRequest, idField, intParam, parseBudgetFields, readJsonObject } from "./validate.ts";
import type { KeyCache } from "../keys/key-cache.ts";
import { tokenOf } from "../keys/secret.ts";
import type { BudgetEntityKind, BudgetEntityRow, SpendLogRow } from "../store/spend-types.ts";
import type { Store } from "../store/types.ts";
import type { ScopeResolver } from "../spend/budget-scopes.ts";
import type { BudgetLedger } from "../spend/ledger.ts";
import { spendLogJson } from "../spend/log-json.ts";
import { displayCost } from "../spend/cost-display.ts";

export interface SpendRoutesOptions {
  masterKey: string | null;
  cache: KeyCache;
  store: Store;
  ledger: BudgetLedger;
  scopes: ScopeResolver;
  now?: () => number;
}


type TeamInfo = components["schemas"]["TeamInfo"];

/** How each entity kind is named in its endpoints; `ids` are the accepted id fields of /new and /update bodies. */
const entities: Record<BudgetEntityKind, { label: string; ids: string[]; query: string }> = {
  user: { label: "user", ids: ["user_id"], query: "user_id" },
  team: { label: "team", ids: ["team_id"], query: "team_id" },
  end_user: { label: "end user", ids: ["end_user_id", "user_id"], query: "end_user_id" },
};

/**
 * LiteLLM-compatible budget holders and spend: `/user/*`, `/team/*`, `/end_user/*` (LiteLLM's `/customer/*`
 * too) and `/spend/logs`. Master key only, except `/spend/logs`, where a virtual key sees its own calls.
 * Spend shown is live: the ledger's running total, including calls not yet flushed to the store.
 */
export function spendRoutes(options: SpendRoutesOptions) {
  const { store, ledger, scopes } = options;
  const now = options.now ?? Date.now;
  const authenticate = createAdminAuth(options.masterKey, options.cache);
  const route = createAdminRoute(authenticate);

  const liveSpend = (row: BudgetEntityRow) =>
    ledger.spent({ kind: row.kind, id: row.id, maxBudget: row.maxBudget, budgetDuration: row.budgetDuration, budgetResetAt: row.budgetResetAt });

  /** An entity as the API shows it, checked against the spec's UserInfo, TeamInfo and EndUserInfo. */
  const view = async (row: BudgetEntityRow): Promise<UserInfo | TeamInfo | EndUserInfo> => {
    const settings = {
      spend: displayCost(await liveSpend(row)),
      max_budget: row.maxBudget,
      budget_duration: row.budgetDuration,
      budget_reset_at: row.budgetResetAt,
      rpm_limit: row.rpmLimit,
      tpm_limit: row.tpmLimit,
      metadata: row.metadata,
    };
    const dates = { created_at: row.createdAt, updated_at: row.updatedAt };
    if (row.kind === "end_user") {
      return { end_user_id: row.id, ...settings, request_count: row.requestCount, last_request_at: row.lastRequestAt, ...dates } satisfies EndUserInfo;
    }
    const keys = (await store.listKeys({ [row.kind === "user" ? "userId" : "teamId"]: row.id, offset: 0, limit: 1000 })).rows.map((k) => k.token);
    if (row.kind === "user") return { user_id: row.id, ...settings, keys, ...dates } satisfies UserInfo;
    return { team_id: row.id, ...settings, keys, ...dates } satisfies TeamInfo;
  };

  const write = (kind: BudgetEntityKind, mode: "new" | "update") => async (request: Request) => {
    const b = await readJsonObject(request);
    const { ids, label } = entities[kind];
    const id = idField(b, ids);
    const patch = parseBudgetFields(b, now(), ids);
    const row = await store.upsertBudgetEntity(kind, id, patch, { mustExist: mode === "update" });
    if (!row) throw new AdminError(404, `No ${label} ${JSON.stringify(id)}: create it with /${kind}/new.`);
    scopes.invalidate(kind, id);
    return view(row);
  };

  const info = (kind: BudgetEntityKind) => async (request: Request) => {
    const { label, query } = entities[kind];
    const id = new URL(request.url).searchParams.get(query) ?? (kind === "end_user" ? new URL(request.url).searchParams.get("end_user") : null);
    if (!id) throw new BadRequest(`${query} is required: /${kind}/info?${query}=<id>.`);
    let row = await store.getBudgetEntity(kind, id);
    if (!row && kind !== "end_user") {
      // A user or team named by keys that has spent nothing yet still exists.
      const keys = await store.listKeys({ [kind === "user" ? "userId" : "teamId"]: id, offset: 0, limit: 1 });
      if (keys.total > 0) row = emptyEntity(kind, id);
    }
    if (!row) throw new AdminError(404, `No ${label} ${JSON.stringify(id)}.`);
    return view(row);
  };

  const app = new Elysia();
  for (const [kind, prefixes] of [["user", ["/user"]], ["team", ["/team"]], ["end_user", ["/end_user", "/customer"]]] as const) {
    for (const prefix of prefixes) {
      app
        .post(`${prefix}/new`, route(`POST ${prefix}/new`, write(kind, "new")), { parse: "none" })
        .post(`${prefix}/update`, route(`POST ${prefix}/update`, write(kind, "update")), { parse: "none" })
        .get(`${prefix}/info`, route(`GET ${prefix}/info`, info(kind)));
    }
  }
  return app.get("/spend/logs", route("GET /spend/logs", async (request, caller) => {
    const q = new URL(request.url).searchParams;
    const page = intParam(q.get("page"), "page", 1, 1, 1_000_000);
    const pageSize = intParam(q.get("page_size"), "page_size", 50, 1, 1000);
    const apiKeyParam = q.get("api_key");
    let apiKey = apiKeyParam === null ? undefined : tokenOf(apiKeyParam);
    if (caller.kind === "virtual") {
      if (apiKey !== undefined && apiKey !== caller.row.token) throw new AdminError(403, "A virtual key may read only its own spend logs.");
      apiKey = caller.row.token;
    }
    const { rows, total } = await store.querySpendLogs({
      apiKey,
      userId: q.get("user_id") ?? undefined,
      endUser: q.get("end_user") ?? undefined,
      model: q.get("model") ?? undefined,
      from: dateParam(q.get("start_date"), "start_date", "start"),
      until: dateParam(q.get("end_date"), "end_date", "end"),
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { data: rows.map((row) => spendLogJson(row)), total, page, page_size: pageSize } satisfies SpendLogsResponse;
  }, "self"));
}

/** `2025-01-31` or an ISO date-time; both bounds inclusive, so a date-only end_date covers that whole day. */
export function dateParam(value: string | null, name: string, edge: "start" | "end"): string | undefined {
  if (value === null || value === "") return undefined;
  const dateOnly = /^\d{4}-\d\d-\d\d$/.test(value);
  const ms = dateOnly || /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(dateOnly ? value + "T00:00:00Z" : value) : NaN;
  if (Number.isNaN(ms)) throw new BadRequest(`${name} must be an ISO date (2025-01-31) or date-time (2025-01-31T12:00:00Z).`);
  if (edge === "start") return new Date(ms).toISOString();
  return new Date(dateOnly ? ms + 86_400_000 : ms + 1).toISOString();
}

function emptyEntity(kind: BudgetEntityKind, id: string): BudgetEntityRow {
  return { kind, id, spend: 0, maxBudget: null, budgetDuration: null, budgetResetAt: null, rpmLimit: null, tpmLimit: null, metadata: {}, requestCount: 0, lastRequestAt: null, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString() };
}

