import { concatBytes } from "@bedrock-gateway/protocol";
import type { BedrockCall, CallOutcome } from "../pipeline/context.ts";
import type { CallStep } from "../pipeline/step.ts";
import type { BodyTap } from "../bedrock/relay.ts";
import { log } from "../log.ts";
import type { SpendLogRow } from "../store/spend-types.ts";
import type { ScopeResolver } from "./budget-scopes.ts";
import type { BudgetLedger } from "./ledger.ts";
import type { SpendLogWriter } from "./log-writer.ts";
import { CAPTURE_MAX_BYTES, storableBody } from "./redact.ts";
import { errorMessage } from "../error-message.ts";

export interface SpendRowStepOptions {
  ledger: BudgetLedger;
  scopes: ScopeResolver;
  writer: SpendLogWriter;
  /** STORE_REQUEST_BODIES: keep request and response bodies (redacted, truncated) in the spend log. */
  storeBodies?: boolean;
}

export interface SpendRowStep extends CallStep {
  /** Waits for finished calls still being settled (ledger + queue), before the writer's final flush. */
  drain(): Promise<void>;
}

/**
 * The call's spend row: built from the call and its price (set by the price step before this one), added to the
 * budget ledger at once (so the next admission sees it), then queued for the store. With STORE_REQUEST_BODIES it
 * also taps the answer to keep its first bytes.
 */
export function spendRowStep(options: SpendRowStepOptions): SpendRowStep {
  const { ledger, scopes: resolver, writer, storeBodies = false } = options;
  const settling = new Set<Promise<void>>();

  const settle = async (call: BedrockCall, row: SpendLogRow, queueRow: () => void) => {
    try {
      const scopes = call.budgetScopes ?? (await resolver.scopesFor(call));
      // The ledger first: a row in the store before the ledger seeded its scope would be counted twice. A call that
      // reserved its estimate (budget step) now replaces it with the real cost.
      const amount = (row.spend ?? 0) - (call.budgetReserved ?? 0);
      if (amount !== 0) await ledger.add(scopes, amount);
    } catch (error) {
      // The store is away (a scope could not be read or seeded): the row is still written once it is back; a scope
      // seeded later reads it from the store, one already in memory misses this call's cost until it is reseeded.
      log.warn("spend not added to the budget ledger; the row is still queued", { request_id: row.requestId, error: errorMessage(error) });
    }
    queueRow();
  };

  return {
    name: "spend-row",
    tap(call) {
      if (!storeBodies) return undefined;
      const captured = (call.capturedResponse = { parts: [] as Uint8Array[], size: 0 });
      const tap: BodyTap = {
        chunk(bytes) {
          if (captured.size + bytes.byteLength <= CAPTURE_MAX_BYTES) captured.parts.push(bytes.slice());
          captured.size += bytes.byteLength;
        },
      };
      return tap;
    },
    record(call, outcome) {
      const row = spendRow(call, outcome);
      row.spend = call.cost?.spend ?? null;
      row.note = call.cost?.note ?? null;
      if (storeBodies) {
        row.requestBody = storableBody(call.body);
        const captured = call.capturedResponse;
        if (captured) row.responseBody = storableBody(concatBytes(captured.parts), captured.size);
      }
      call.spendRow = row;
      // Journaled now, before any await: from here on a killed process still has the row.
      const done = settle(call, row, writer.hold(row));
      settling.add(done);
      void done.finally(() => settling.delete(done));
    },
    async drain() {
      while (settling.size > 0) await Promise.all([...settling]);
    },
  };
}

function spendRow(call: BedrockCall, outcome: CallOutcome): SpendLogRow {
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
    note: null,
    upstreamRequestId: outcome.upstream?.headers.get("x-amzn-requestid") ?? null,
    requestBody: null,
    responseBody: null,
  };
}
