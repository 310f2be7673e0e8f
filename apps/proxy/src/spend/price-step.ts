import type { BedrockCall, CallOutcome } from "../pipeline/context.ts";
import type { CallStep } from "../pipeline/step.ts";
import { log } from "../log.ts";
import { costOf, type PriceTable } from "../pricing/index.ts";

/** Operations Bedrock does not bill: with no usage to read, their cost is 0 rather than unknown. */
const unbilledOperations = new Set([
  "ListSessions", "CreateSession", "EndSession", "GetSession", "UpdateSession", "DeleteSession",
  "ListInvocations", "CreateInvocation", "ListInvocationSteps", "PutInvocationStep", "GetInvocationStep",
  "ListTagsForResource", "TagResource", "UntagResource", "GetAgentMemory", "DeleteAgentMemory",
  "ListAsyncInvokes", "GetAsyncInvoke", "GetFlowExecution", "ListFlowExecutionEvents", "GetExecutionFlowSnapshot",
  "StopFlowExecution", "ListFlowExecutions", "CheckIngestedDocumentAcl", "GetDocumentContent", "GetIngestedDocumentAcl",
]);

/** Prices the call's usage onto `call.cost`; says once per model when a model has no price. */
export function priceStep(prices: PriceTable): CallStep {
  const unpricedWarned = new Set<string>();
  return {
    name: "price",
    record(call, outcome) {
      const priced = priceCall(call, outcome, prices);
      call.cost = { spend: priced.spend, note: priced.note };
      if (priced.unpricedModel && !unpricedWarned.has(priced.unpricedModel)) {
        unpricedWarned.add(priced.unpricedModel);
        log.warn("no price for a model: its calls are logged with spend null (set PRICE_TABLE_PATH to price it)", { model: priced.unpricedModel, reason: priced.note });
      }
    },
  };
}

/** Spend is 0 only when nothing was billed (refused, failed, free); null when the price or usage is unknown. */
function priceCall(call: BedrockCall, outcome: CallOutcome, prices: PriceTable): { spend: number | null; note: string | null; unpricedModel?: string } {
  const operation = call.route.operation?.operationId ?? null;
  if (outcome.refusal) return { spend: 0, note: `refused before Bedrock: ${outcome.refusal.type}` };
  const usage = outcome.usage;
  if (!usage) {
    if (outcome.status < 200 || outcome.status > 299) return { spend: 0, note: null };
    if (operation !== null && unbilledOperations.has(operation)) return { spend: 0, note: null };
    return { spend: null, note: `Bedrock exposes no usage for ${operation ?? "this operation"}: cost unknown` };
  }
  const result = costOf(usage, call.modelId, call.region, prices);
  const note = [usage.note, result.warning].filter((n, i, all): n is string => !!n && all.indexOf(n) === i).join("; ") || null;
  const unpriced = result.cost === null && usage.source !== "not-exposed" && usage.source !== "unreadable" && (usage.complete || usage.inputTokens + usage.outputTokens > 0);
  return { spend: result.cost, note, ...(unpriced && { unpricedModel: call.modelId ?? operation ?? "unknown" }) };
}
