import { afterEach, describe, expect, it, vi } from "vitest";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import type { VirtualKeyView } from "../../src/auth/principal.ts";
import { parseRawTarget } from "../../src/bedrock/raw-path.ts";
import { createRouteTable } from "../../src/bedrock/route-table.ts";
import { cachedBudgetEntities } from "../../src/cache/budget-entities.ts";
import { createGatewayMetrics } from "../../src/metrics/gateway-metrics.ts";
import { metricsStep } from "../../src/metrics/metrics-step.ts";
import type { BedrockCall, CallOutcome } from "../../src/pipeline/context.ts";
import { renderRefusal } from "../../src/pipeline/refusal.ts";
import { loadPriceTable } from "../../src/pricing/index.ts";
import { accessLogStep } from "../../src/spend/access-log-step.ts";
import { budgetStep } from "../../src/spend/budget-step.ts";
import { createScopeResolver } from "../../src/spend/budget-scopes.ts";
import { localBudgetLedger } from "../../src/spend/ledger.ts";
import { createSpendLogWriter } from "../../src/spend/log-writer.ts";
import { callPricer } from "../../src/pricing/call-pricer.ts";
import { priceStep } from "../../src/spend/price-step.ts";
import { spendRowStep } from "../../src/spend/spend-row-step.ts";
import { openSqliteStore } from "../../src/store/sqlite/open.ts";
import type { SpendLogRow } from "../../src/store/spend-types.ts";
import { log } from "../../src/log.ts";

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const routes = createRouteTable(bedrockRoutes);

/** A call as route and authenticate leave it: a Converse by a key of user u1. */
function converseCall(): BedrockCall {
  const parsed = parseRawTarget(`http://localhost/bedrock/model/${HAIKU}/converse`, "/bedrock");
  if (!parsed.ok) throw new Error(parsed.reason);
  const key: VirtualKeyView = { token: "t", keyAlias: "ci", models: [], allowedRoutes: [], allowedRegions: [], userId: "u1", teamId: null, maxBudget: null, budgetDuration: null, spend: 0, rpmLimit: null, tpmLimit: null, expires: null, metadata: {} };
  const startedAt = Date.now() - 50;
  return {
    requestId: crypto.randomUUID(),
    startedAt,
    request: new Request(`http://localhost/bedrock/model/${HAIKU}/converse`, { method: "POST" }),
    target: parsed.target,
    route: routes.resolve("POST", parsed.target.segments)!,
    region: "us-east-1",
    principal: { kind: "virtual", keyHash: "hash-ci", key },
    modelId: HAIKU,
    endUser: null,
    body: new TextEncoder().encode("{}"),
  };
}

const answered = (call: BedrockCall): CallOutcome => ({
  status: 200,
  upstream: { status: 200, headers: new Headers({ "x-amzn-requestid": "up-1" }), firstByteAt: call.startedAt + 20 },
  usage: { inputTokens: 1000, outputTokens: 1000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, source: "converse-body", complete: true },
  endedAt: call.startedAt + 50,
});

async function spendParts() {
  const store = await openSqliteStore(":memory:");
  const ledger = localBudgetLedger(store);
  const scopes = createScopeResolver(cachedBudgetEntities((kind, id) => store.getBudgetEntity(kind, id)));
  const stored: SpendLogRow[] = [];
  const writer = createSpendLogWriter({ insert: async (rows) => void stored.push(...rows) });
  return { store, ledger, scopes, writer, stored };
}

describe("the record steps, each alone and in the composed order, on one call context", () => {
  afterEach(() => vi.restoreAllMocks());

  it("budget: a spent budget is a 403 AccessDeniedException refusal naming the scope; the scopes stay on the call", async () => {
    const { store, ledger, scopes } = await spendParts();
    await store.upsertBudgetEntity("user", "u1", { maxBudget: 0.001 });
    const step = budgetStep({ ledger, scopes, prices: loadPriceTable() });
    const call = converseCall();
    expect(await step.admit!(call)).toBeUndefined();
    expect(call.budgetScopes?.map((s) => s.kind)).toEqual(["key", "user"]);

    await ledger.add(call.budgetScopes!, 0.002);
    const refusal = await step.admit!(converseCall());
    expect(refusal).toMatchObject({ status: 403, type: "AccessDeniedException" });
    expect(refusal!.message).toBe('Budget exceeded for user "u1": spent $0.002 of max_budget $0.001.');
    expect(renderRefusal(refusal!).headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    await store.close();
  });

  it("price → spend row (+ ledger) → metrics → access log: each reads what the one before left on the call", async () => {
    const { store, ledger, scopes, writer, stored } = await spendParts();
    const metrics = createGatewayMetrics();
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(...text.split("\n")));
    const steps = [priceStep(callPricer(loadPriceTable(), null)), spendRowStep({ ledger, scopes, writer }), metricsStep(metrics), accessLogStep()];

    const call = converseCall();
    call.budgetScopes = await scopes.scopesFor(call);
    const outcome = answered(call);
    for (const step of steps) step.record!(call, outcome);

    // 1,000 input and 1,000 output tokens of Haiku at $0.00025 and $0.00125 per 1K.
    expect(call.cost).toEqual({ spend: 0.0015, note: null });
    expect(call.spendRow).toMatchObject({ requestId: call.requestId, spend: 0.0015, userId: "u1", operation: "Converse", status: 200, latencyMs: 50, ttfbMs: 20, upstreamRequestId: "up-1" });
    await (steps[1] as ReturnType<typeof spendRowStep>).drain();
    expect(await ledger.spent(call.budgetScopes.find((s) => s.kind === "user")!)).toBeCloseTo(0.0015);
    await writer.close();
    expect(stored.map((r) => r.requestId)).toEqual([call.requestId]);

    expect(metrics.registry.render()).toContain(`bedrock_gateway_spend_usd_total{operation="Converse",model="${HAIKU}"} 0.0015`);
    log.flush();
    const line = printed.map((l) => JSON.parse(l)).find((l) => l.msg === "bedrock request");
    expect(line).toMatchObject({ request_id: call.requestId, spend: 0.0015, principal: "virtual", method: "POST" });
    await store.close();
  });

  it("a refused call costs 0 and says so; metrics count it without spend", () => {
    const metrics = createGatewayMetrics();
    const call = converseCall();
    const refused: CallOutcome = { status: 429, refusal: { status: 429, type: "ThrottlingException", message: "slow down", by: "limits" }, usage: null, endedAt: Date.now() };
    priceStep(callPricer(loadPriceTable(), null)).record!(call, refused);
    metricsStep(metrics).record!(call, refused);
    expect(call.cost).toEqual({ spend: 0, note: "refused before Bedrock: ThrottlingException" });
    const text = metrics.registry.render();
    // No call with this model has succeeded here yet: a refusal does not make a label of a client-chosen id.
    expect(text).toContain(`bedrock_gateway_errors_total{operation="Converse",model="unverified",status="429"} 1`);
    expect(text).not.toContain("bedrock_gateway_spend_usd_total{");
  });
});
