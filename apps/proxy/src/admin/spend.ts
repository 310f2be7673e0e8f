import type { components, EndUserInfo, UserInfo } from "@bedrock-gateway/api-types";
import { tokenOf } from "../keys/secret.ts";
import type { BudgetEntityKind, BudgetEntityRow } from "../store/spend-types.ts";
import type { Store } from "../store/types.ts";
import type { ScopeResolver } from "../spend/budget-scopes.ts";
import type { BudgetLedger } from "../spend/ledger.ts";
import { spendLogJson } from "../spend/log-json.ts";
import { displayCost } from "../spend/cost-display.ts";
import type { AdminApp, Answer } from "./admin-app.ts";
import { AdminError, BadRequest } from "./errors.ts";
import { budgetPatch } from "./settings-patch.ts";
import { specBody, specQuery } from "./spec-validation.ts";

export interface SpendRoutesOptions {
  store: Store;
  ledger: BudgetLedger;
  scopes: ScopeResolver;
  now?: () => number;
}

type TeamInfo = components["schemas"]["TeamInfo"];

/**
 * LiteLLM-compatible budget holders and spend: `/user/*`, `/team/*`, `/end_user/*` (LiteLLM's `/customer/*`
 * too) and `/spend/logs`. Master key only, except `/spend/logs`, where a virtual key sees its own calls.
 * Spend shown is live: the ledger's running total, including calls not yet flushed to the store.
 */
export function spendRoutes(app: AdminApp, options: SpendRoutesOptions) {
  const { store, ledger, scopes } = options;
  const now = options.now ?? Date.now;

  const liveSpend = (row: BudgetEntityRow) =>
    ledger.spent({ kind: row.kind, id: row.id, maxBudget: row.maxBudget, budgetDuration: row.budgetDuration, budgetResetAt: row.budgetResetAt });

  const settingsOf = async (row: BudgetEntityRow) => ({
    spend: displayCost(await liveSpend(row)),
    max_budget: row.maxBudget,
    budget_duration: row.budgetDuration,
    budget_reset_at: row.budgetResetAt,
    rpm_limit: row.rpmLimit,
    tpm_limit: row.tpmLimit,
    metadata: row.metadata,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  });
  const keysOf = async (kind: "user" | "team", id: string) =>
    (await store.listKeys({ [kind === "user" ? "userId" : "teamId"]: id, offset: 0, limit: 1000 })).rows.map((k) => k.token);

  // Each entity as the spec shows it: UserInfo, TeamInfo, EndUserInfo.
  const userView = async (row: BudgetEntityRow): Promise<UserInfo> => ({ user_id: row.id, ...(await settingsOf(row)), keys: await keysOf("user", row.id) });
  const teamView = async (row: BudgetEntityRow): Promise<TeamInfo> => ({
    team_id: row.id,
    ...(await settingsOf(row)),
    allowed_regions: row.allowedRegions,
    keys: await keysOf("team", row.id),
  });
  const endUserView = async (row: BudgetEntityRow): Promise<EndUserInfo> => ({
    end_user_id: row.id,
    ...(await settingsOf(row)),
    request_count: row.requestCount,
    last_request_at: row.lastRequestAt,
  });

  /** Creates (`new`) or changes (`update`, which needs it to exist) a budget holder; its cached scopes are dropped. */
  const write = async (kind: BudgetEntityKind, id: string, mode: "new" | "update", body: Parameters<typeof budgetPatch>[0]) => {
    const row = await store.upsertBudgetEntity(kind, id, budgetPatch(body, now()), { mustExist: mode === "update" });
    if (!row) throw new AdminError(404, `No ${labels[kind]} ${JSON.stringify(id)}: create it with /${kind}/new.`);
    scopes.invalidate(kind, id);
    return row;
  };

  /** A stored entity; a user or team named by keys that has spent nothing yet exists too. */
  const read = async (kind: BudgetEntityKind, id: string) => {
    let row = await store.getBudgetEntity(kind, id);
    if (!row && kind !== "end_user" && (await store.listKeys({ [kind === "user" ? "userId" : "teamId"]: id, offset: 0, limit: 1 })).total > 0) {
      row = emptyEntity(kind, id);
    }
    if (!row) throw new AdminError(404, `No ${labels[kind]} ${JSON.stringify(id)}.`);
    return row;
  };

  app
    .post("/user/new", async ({ body }) => (await userView(await write("user", body.user_id, "new", body))) satisfies Answer<"newUser">, { body: specBody("UserRequest") })
    .post("/user/update", async ({ body }) => (await userView(await write("user", body.user_id, "update", body))) satisfies Answer<"updateUser">, { body: specBody("UserRequest") })
    .get("/user/info", async ({ query }) => (await userView(await read("user", query.user_id))) satisfies Answer<"userInfo">, { query: specQuery("userInfo") })
    .post("/team/new", async ({ body }) => (await teamView(await write("team", body.team_id, "new", body))) satisfies Answer<"newTeam">, { body: specBody("TeamRequest") })
    .post("/team/update", async ({ body }) => (await teamView(await write("team", body.team_id, "update", body))) satisfies Answer<"updateTeam">, { body: specBody("TeamRequest") })
    .get("/team/info", async ({ query }) => (await teamView(await read("team", query.team_id))) satisfies Answer<"teamInfo">, { query: specQuery("teamInfo") });
  // LiteLLM's /customer/* are the same end-user operations under their older name.
  for (const prefix of ["/end_user", "/customer"] as const) {
    app
      .post(`${prefix}/new`, async ({ body }) => (await endUserView(await write("end_user", endUserId(body), "new", body))) satisfies Answer<"newEndUser">, { body: specBody("EndUserRequest") })
      .post(`${prefix}/update`, async ({ body }) => (await endUserView(await write("end_user", endUserId(body), "update", body))) satisfies Answer<"updateEndUser">, { body: specBody("EndUserRequest") })
      .get(`${prefix}/info`, async ({ query }) => (await endUserView(await read("end_user", query.end_user_id))) satisfies Answer<"endUserInfo">, { query: specQuery("endUserInfo") });
  }

  return app.get(
    "/spend/logs",
    async ({ query, caller }) => {
      const { page, page_size: pageSize } = query;
      let apiKey = query.api_key === undefined ? undefined : tokenOf(query.api_key);
      if (caller.kind === "virtual") {
        if (apiKey !== undefined && apiKey !== caller.row.token) throw new AdminError(403, "A virtual key may read only its own spend logs.");
        apiKey = caller.row.token;
      }
      const { rows, total } = await store.querySpendLogs({
        apiKey,
        userId: query.user_id,
        endUser: query.end_user,
        model: query.model,
        from: dateParam(query.start_date, "start_date", "start"),
        until: dateParam(query.end_date, "end_date", "end"),
        offset: (page - 1) * pageSize,
        limit: pageSize,
      });
      return { data: rows.map((row) => spendLogJson(row)), total, page, page_size: pageSize } satisfies Answer<"spendLogs">;
    },
    { query: specQuery("spendLogs", ["page", "page_size"]) },
  );
}

const labels: Record<BudgetEntityKind, string> = { user: "user", team: "team", end_user: "end user" };

/** EndUserRequest names the end user `end_user_id`, or `user_id` as LiteLLM's /customer/new does; the schema requires one. */
function endUserId(body: components["schemas"]["EndUserRequest"]): string {
  return (body.end_user_id ?? body.user_id)!;
}

/** `2025-01-31` or an ISO date-time; both bounds inclusive, so a date-only end_date covers that whole day. */
export function dateParam(value: string | undefined, name: string, edge: "start" | "end"): string | undefined {
  if (value === undefined || value === "") return undefined;
  const dateOnly = /^\d{4}-\d\d-\d\d$/.test(value);
  const ms = dateOnly || /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(dateOnly ? value + "T00:00:00Z" : value) : NaN;
  if (Number.isNaN(ms)) throw new BadRequest(`${name} must be an ISO date (2025-01-31) or date-time (2025-01-31T12:00:00Z).`);
  if (edge === "start") return new Date(ms).toISOString();
  return new Date(dateOnly ? ms + 86_400_000 : ms + 1).toISOString();
}

function emptyEntity(kind: BudgetEntityKind, id: string): BudgetEntityRow {
  return { kind, id, spend: 0, maxBudget: null, budgetDuration: null, budgetResetAt: null, rpmLimit: null, tpmLimit: null, metadata: {}, allowedRegions: [], requestCount: 0, lastRequestAt: null, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString() };
}

