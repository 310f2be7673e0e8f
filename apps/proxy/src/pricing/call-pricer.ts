import type { BedrockCall } from "../bedrock/call.ts";
import type { CallOutcome } from "../bedrock/plugin.ts";
import type { ModelResolver } from "../resolve/model-resolver.ts";
import type { Usage } from "../usage/types.ts";
import { costOf } from "./cost.ts";
import { resolveModelId } from "./model-id.ts";
import type { PriceTable } from "./price-table.ts";

export interface PricedCall {
  /** USD; 0 only when nothing was billed; null when the price or the usage is unknown (see `note`). */
  spend: number | null;
  note: string | null;
  /** Set when a model had usage but no price: the caller warns once per model. */
  unpricedModel?: string;
}

export interface CallPricer {
  readonly table: PriceTable;
  /** Synchronous unless the model must first be asked of Bedrock's control plane (then cached). */
  price(call: BedrockCall, outcome: CallOutcome): PricedCall | Promise<PricedCall>;
}

/** Operations Bedrock does not bill: with no usage to read, their cost is 0 rather than unknown. */
const unbilledOperations = new Set([
  "ListSessions", "CreateSession", "EndSession", "GetSession", "UpdateSession", "DeleteSession",
  "ListInvocations", "CreateInvocation", "ListInvocationSteps", "PutInvocationStep", "GetInvocationStep",
  "ListTagsForResource", "TagResource", "UntagResource", "GetAgentMemory", "DeleteAgentMemory",
  "ListAsyncInvokes", "GetAsyncInvoke", "GetFlowExecution", "ListFlowExecutionEvents", "GetExecutionFlowSnapshot",
  "StopFlowExecution", "ListFlowExecutions", "CheckIngestedDocumentAcl", "GetDocumentContent", "GetIngestedDocumentAcl",
]);

const AGENT_PATH = /^\/agents\/([^/]+)\/agentAliases\/([^/]+)\/sessions\//;

/**
 * Prices a finished call. The model comes from the path, else from the request body (Rerank, RetrieveAndGenerate,
 * StartAsyncInvoke, InvokeInlineAgent); what neither says is resolved with `resolver`: an application inference
 * profile ARN the operator did not map (GetInferenceProfile), and an agent alias's foundation model for InvokeAgent
 * usage whose trace names none (GetAgentAlias + GetAgent). Without a resolver those calls keep spend null.
 */
export function callPricer(table: PriceTable, resolver: ModelResolver | null): CallPricer {
  const priceWith = (call: BedrockCall, usage: Usage, model: string | null, how: string | null): PricedCall => {
    const result = costOf(usage, model, call.region, table);
    const note = [usage.note, how, result.warning].filter((n, i, all): n is string => !!n && all.indexOf(n) === i).join("; ") || null;
    const unpriced = result.cost === null && usage.source !== "not-exposed" && usage.source !== "unreadable" && (usage.complete || usage.inputTokens + usage.outputTokens > 0);
    const operation = call.route.operation?.operationId ?? null;
    return { spend: result.cost, note, ...(unpriced && { unpricedModel: model ?? call.modelId ?? operation ?? "unknown" }) };
  };

  return {
    table,
    price(call, outcome) {
      const operation = call.route.operation?.operationId ?? null;
      if (outcome.refusal) return { spend: 0, note: `refused before Bedrock: ${outcome.refusal.type}` };
      const usage = outcome.usage;
      if (!usage) {
        if (outcome.status < 200 || outcome.status > 299) return { spend: 0, note: null };
        if (operation !== null && unbilledOperations.has(operation)) return { spend: 0, note: null };
        return { spend: null, note: `Bedrock exposes no usage for ${operation ?? "this operation"}: cost unknown` };
      }
      const model = usage.modelId ?? call.modelId;
      const bodyNote = usage.modelId && !call.modelId ? `model ${usage.modelId} (from the request body)` : null;
      if (usage.source === "not-exposed" || usage.source === "unreadable") return priceWith(call, usage, model, bodyNote);

      if (model && resolveModelId(model, table.applicationInferenceProfiles).kind === "application-inference-profile" && !table.lookup(model, call.region).found && resolver) {
        return resolver.inferenceProfile(model).then((r) =>
          "model" in r
            ? priceWith(call, usage, r.model, `application inference profile runs ${r.model} (GetInferenceProfile)`)
            : priceWith(call, usage, model, `model of the application inference profile unknown: ${r.error}`),
        );
      }
      const agent = AGENT_PATH.exec(call.target.path);
      if (agent && usage.byModel?.some((m) => m.modelId === null) && resolver) {
        const [agentId, aliasId] = [safeDecode(agent[1]!), safeDecode(agent[2]!)];
        return resolver.agentModel(agentId, aliasId, call.region).then((r) =>
          "model" in r
            ? priceWith(call, usage, r.model, `agent ${agentId} alias ${aliasId} runs ${r.model} (GetAgentAlias)`)
            : priceWith(call, usage, model, `model of agent ${agentId} alias ${aliasId} unknown: ${r.error}`),
        );
      }
      return priceWith(call, usage, model, bodyNote);
    },
  };
}

function safeDecode(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}
