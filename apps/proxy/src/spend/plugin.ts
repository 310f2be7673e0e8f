import type { BedrockCall } from "../bedrock/call.ts";
import { awsError } from "../bedrock/errors.ts";
import type { CallOutcome, CallPlugin } from "../bedrock/plugin.ts";
import type { BodyTap } from "../bedrock/relay.ts";
import { log } from "../log.ts";
import type { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import type { CallPricer } from "../pricing/call-pricer.ts";
import type { SpendLogRow } from "../store/spend-types.ts";
import type { ScopeResolver } from "./budget-scopes.ts";
import type { BudgetLedger, BudgetScope } from "./ledger.ts";
import { spendLogJson } from "./log-json.ts";
import type { SpendLogWriter } from "./log-writer.ts";
import { CAPTURE_MAX_BYTES, storableBody } from "./redact.ts";
import { errorMessage } from "../error-message.ts";

export interface SpendPluginOptions {
  ledger: BudgetLedger;
  scopes: ScopeResolver;
  writer: SpendLogWriter;
  pricer: CallPricer;
  metrics: GatewayMetrics;
  /** STORE_REQUEST_BODIES: keep request and response bodies (redacted, truncated) in the spend log. */
  storeBodies?: boolean;
}

export interface SpendPlugin extends CallPlugin {
  /** Waits for finished calls still being settled (ledger + queue), before the writer's final flush. */
  drain(): Promise<void>;
}

interface Captured {
  parts: Uint8Array[];
  size: number;
}

/**
 * Budgets and spend for every /bedrock call. `admit` refuses a call when any of its scopes (key, the key's user
 * and team, the end user) has spent its `max_budget` in the current window: 403 AccessDeniedException, not 429,
 * because retrying cannot help until the window resets (SDKs retry throttling errors automatically). `finish`
 * prices the usage, adds it to the ledger at once (so the next admit sees it), queues the spend row and writes
 * one JSON log line. Calls admitted while others are in flight can overspend by at most those calls' cost.
 */
export function spendPlugin(options: SpendPluginOptions): SpendPlugin {
  const { ledger, scopes: resolver, writer, pricer, metrics, storeBodies = false } = options;
  const scopesOf = new WeakMap<BedrockCall, BudgetScope[]>();
  const refusals = new WeakMap<BedrockCall, string>();
  const bodies = new WeakMap<BedrockCall, Captured>();
  const unpricedWarned = new Set<string>();
  const settling = new Set<Promise<void>>();

  const settle = async (call: BedrockCall, row: SpendLogRow) => {
    const scopes = scopesOf.get(call) ?? (await resolver.scopesFor(call));
    // The ledger first: a row in the store before the ledger seeded its scope would be counted twice.
    await ledger.add(scopes, row.spend ?? 0);
    writer.enqueue(row);
  };

  return {
    name: "spend",
    async admit(call) {
      const scopes = await resolver.scopesFor(call);
      scopesOf.set(call, scopes);
      for (const scope of scopes) {
        if (scope.maxBudget === null) continue;
        const spent = await ledger.spent(scope);
        if (spent >= scope.maxBudget) {
          const message = `Budget exceeded for ${describeScope(scope)}: spent $${round(spent)} of max_budget $${scope.maxBudget}` +
            (scope.budgetDuration ? ` (budget_duration ${scope.budgetDuration}).` : ".");
          refusals.set(call, message);
          return awsError(403, "AccessDeniedException", message);
        }
      }
      await pricer.prepare(call);
      return undefined;
    },
    observe(call) {
      if (!storeBodies) return undefined;
      const captured: Captured = { parts: [], size: 0 };
      bodies.set(call, captured);
      const tap: BodyTap = {
        chunk(bytes) {
          if (captured.size + bytes.byteLength <= CAPTURE_MAX_BYTES) captured.parts.push(bytes.slice());
          captured.size += bytes.byteLength;
        },
      };
      return tap;
    },
    finish(call, outcome) {
      const row = spendRow(call, outcome, refusals.get(call) ?? null);
      const priced = pricer.price(call, outcome);
      row.spend = priced.spend;
      row.note = priced.note;
      if (priced.unpricedModel && !unpricedWarned.has(priced.unpricedModel)) {
        unpricedWarned.add(priced.unpricedModel);
        log.warn("no price for a model: its calls are logged with spend null (set PRICE_TABLE_PATH to price it)", { model: priced.unpricedModel, reason: priced.note });
      }
      if (storeBodies) {
        row.requestBody = storableBody(call.body);
        const captured = bodies.get(call);
        if (captured) row.responseBody = storableBody(concat(captured), captured.size);
      }

      metrics.record({
        operation: row.operation ?? "unknown",
        model: row.model,
        status: row.status,
        durationSeconds: row.latencyMs / 1000,
        ttfbSeconds: row.ttfbMs === null ? null : row.ttfbMs / 1000,
        tokens: { input: row.inputTokens, output: row.outputTokens, cacheRead: row.cacheReadInputTokens, cacheWrite: row.cacheWriteInputTokens },
        spend: outcome.usage ? row.spend : undefined,
      });
      // Bodies stay out of stdout even when stored; the principal kind tells master/open calls apart.
      log.info("bedrock request", Object.assign(spendLogJson(row, { bodies: false }), { principal: call.principal.kind, method: call.request.method }));

      const done = settle(call, row).catch((error) => log.error("spend not recorded", { request_id: row.requestId, error: errorMessage(error) }));
      settling.add(done);
      void done.finally(() => settling.delete(done));
    },
    async drain() {
      while (settling.size > 0) await Promise.all([...settling]);
    },
  };
}

function spendRow(call: BedrockCall, outcome: CallOutcome, refusal: string | null): SpendLogRow {
  const principal = call.principal;
  const key = principal.kind === "virtual" ? principal.key : null;
  const usage = outcome.usage;
  return {
    requestId: call.requestId,
    startTime: new Date(call.startedAt).toISOString(),
    endTime: new Date(outcome.endedAt).toISOString(),
    apiKey: principal.kind === "virtual" ? principal.keyHash : null,
    keyAlias: key?.keyAlias ?? null,
    userId: key?.userId ?? null,
    teamId: key?.teamId ?? null,
    endUser: call.endUser,
    route: call.target.path,
    operation: call.route.operation?.operationId ?? null,
    // Rerank, RetrieveAndGenerate, StartAsyncInvoke and inline agents name their model in the body.
    model: call.modelId ?? usage?.modelId ?? null,
    region: call.region,
    status: outcome.status,
    latencyMs: outcome.endedAt - call.startedAt,
    ttfbMs: outcome.upstream ? outcome.upstream.firstByteAt - call.startedAt : null,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cacheReadInputTokens: usage?.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: usage?.cacheWriteInputTokens ?? 0,
    spend: null,
    usageSource: usage?.source ?? null,
    usageComplete: usage ? usage.complete : null,
    note: refusal,
    upstreamRequestId: outcome.upstream?.headers.get("x-amzn-requestid") ?? null,
    requestBody: null,
    responseBody: null,
  };
}

function describeScope(scope: BudgetScope): string {
  if (scope.kind === "key") return "this gateway key";
  return `${scope.kind === "end_user" ? "end user" : scope.kind} ${JSON.stringify(scope.id)}`;
}

function round(usd: number): string {
  return (Math.round(usd * 1e6) / 1e6).toString();
}

function concat({ parts }: Captured): Uint8Array {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) (out.set(p, offset), (offset += p.byteLength));
  return out;
}
