import type { BedrockCall, CallOutcome } from "../pipeline/context.ts";
import type { ModelResolver, Resolution } from "../resolve/model-resolver.ts";
import type { Usage } from "../usage/types.ts";
import { costOf } from "./cost.ts";
import { resolveModelId } from "./model-id.ts";
import type { PriceTable } from "./price-table.ts";
import { errorMessage } from "../error-message.ts";
import { decodeLabel } from "../bedrock/raw-path.ts";

export interface PricedCall {
  /** USD; 0 only when nothing was billed; null when the price or the usage is unknown (see `note`). */
  spend: number | null;
  note: string | null;
  /** Set when a model had usage but no price: the caller warns once per model. */
  unpricedModel?: string;
}

export interface CallPricer {
  readonly table: PriceTable;
  /**
   * At admission: asks the control plane (cached) for the model of an application inference profile the operator
   * did not map, or of the agent alias an InvokeAgent call names. Never refuses; waits at most the resolver's
   * `answerWithinMs` per lookup (an agent on an application profile: two lookups).
   */
  prepare(call: BedrockCall): Promise<void>;
  price(call: BedrockCall, outcome: CallOutcome): PricedCall;
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
 * StartAsyncInvoke, InvokeInlineAgent); what neither says is resolved by `prepare` at admission with `resolver`: an
 * application inference profile ARN the operator did not map (GetInferenceProfile), and an agent alias's foundation
 * model for InvokeAgent usage whose trace names none (GetAgentAlias + GetAgent). Resolving at admission keeps the
 * recording of a call synchronous; with the resolver's cache only the first call of a profile or alias waits.
 * Without a resolver those calls keep spend null with the reason.
 */
export function callPricer(table: PriceTable, resolver: ModelResolver | null): CallPricer {
  const priceWith = (call: BedrockCall, usage: Usage, model: string | null, how: string | null): PricedCall => {
    const result = costOf(usage, model, call.region, table);
    const note = [usage.note, how, result.warning].filter((n, i, all): n is string => !!n && all.indexOf(n) === i).join("; ") || null;
    const unpriced = result.cost === null && usage.source !== "not-exposed" && usage.source !== "unreadable" && (usage.complete || usage.inputTokens + usage.outputTokens > 0);
    const operation = call.route.operation?.operationId ?? null;
    return { spend: result.cost, note, ...(unpriced && { unpricedModel: model ?? call.modelId ?? operation ?? "unknown" }) };
  };

  const lookupFor = (call: BedrockCall): { how: string; lookup: () => Promise<Resolution> } | null => {
    // A control-plane read naming a profile runs no model: nothing to price, nothing to look up.
    if (!resolver || call.route.service === "bedrock") return null;
    const model = call.modelId;
    if (model && resolveModelId(model, table.applicationInferenceProfiles).kind === "application-inference-profile" && !table.lookup(model, call.region).found) {
      return { how: "application inference profile", lookup: () => resolver.inferenceProfile(model) };
    }
    const agent = AGENT_PATH.exec(call.target.path);
    if (agent) {
      const [agentId, aliasId] = [decodeLabel(agent[1]!), decodeLabel(agent[2]!)];
      return { how: `agent ${agentId} alias ${aliasId}`, lookup: () => resolver.agentModel(agentId, aliasId, call.region) };
    }
    return null;
  };

  return {
    table,
    async prepare(call) {
      const needed = lookupFor(call);
      if (!needed) return;
      // The resolver answers in bounded time (a slow lookup goes on, and is cached for the next call); it never throws.
      const result = await needed.lookup().catch((error: unknown): Resolution => ({ error: errorMessage(error) }));
      call.modelLookup = { how: needed.how, ...result };
    },
    price(call, outcome) {
      const operation = call.route.operation?.operationId ?? null;
      if (outcome.refusal) return { spend: 0, note: `refused before Bedrock: ${outcome.refusal.type}` };
      const usage = outcome.usage;
      if (!usage) {
        if (outcome.status < 200 || outcome.status > 299) return { spend: 0, note: null };
        // The control plane's reads (the slice the gateway serves) are not billed either.
        if ((operation !== null && unbilledOperations.has(operation)) || call.route.service === "bedrock") return { spend: 0, note: null };
        return { spend: null, note: `Bedrock exposes no usage for ${operation ?? "this operation"}: cost unknown` };
      }
      const model = usage.modelId ?? call.modelId;
      const bodyNote = usage.modelId && !call.modelId ? `model ${usage.modelId} (from the request body)` : null;
      const lookup = call.modelLookup;
      const needsLookup = usage.source !== "not-exposed" && usage.source !== "unreadable" && (!usage.byModel || usage.byModel.some((m) => m.modelId === null));
      if (!lookup || !needsLookup) return priceWith(call, usage, model, bodyNote);
      if ("model" in lookup) return priceWith(call, usage, lookup.model, `${lookup.how} runs ${lookup.model} (${lookup.how.startsWith("agent") ? "GetAgentAlias" : "GetInferenceProfile"})`);
      return priceWith(call, usage, model, `model of the ${lookup.how} unknown: ${lookup.error}`);
    },
  };
}

