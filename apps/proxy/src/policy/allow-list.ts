import type { BedrockCall } from "../pipeline/context.ts";
import { refuse } from "../pipeline/refusal.ts";
import type { CallStep } from "../pipeline/step.ts";

/**
 * Route groups a key's `allowed_routes` may name, by the first path segment after `/bedrock`.
 * Besides these, `runtime` (every bedrock-runtime operation), `agent-runtime` (every bedrock-agent-runtime
 * operation) and operation ids (`Converse`, `InvokeModel`, `Retrieve`, ...) are accepted.
 */
export const routeGroupsBySegment: Record<string, string> = {
  model: "inference",
  "async-invoke": "async-invoke",
  guardrail: "guardrails",
  "guardrail-checks": "guardrails",
  knowledgebases: "knowledgebases",
  retrieveAndGenerate: "knowledgebases",
  retrieveAndGenerateStream: "knowledgebases",
  agenticRetrieveStream: "knowledgebases",
  generateQuery: "knowledgebases",
  rerank: "rerank",
  agents: "agents",
  sessions: "agents",
  flows: "flows",
  "optimize-prompt": "prompts",
  tags: "tags",
  openai: "openai",
};

export const serviceGroups = { "bedrock-runtime": "runtime", "bedrock-agent-runtime": "agent-runtime", bedrock: "control-plane" } as const;

/** Every group name `allowed_routes` understands (operation ids come on top). */
export const routeGroups = new Set([...Object.values(serviceGroups), ...Object.values(routeGroupsBySegment)]);

/**
 * Operations that name their model in the body, which this check does not read: a key restricted to some
 * models may not call them (nor operations the route table does not know).
 */
const modelInBody = new Set(["StartAsyncInvoke", "RetrieveAndGenerate", "RetrieveAndGenerateStream", "Rerank", "InvokeInlineAgent", "OptimizePrompt"]);

/** Refuses (403 AccessDeniedException, before Bedrock) calls outside the key's `models` and `allowed_routes`. */
export function allowListStep(): CallStep {
  return {
    name: "allow-list",
    admit(call) {
      if (call.principal.kind !== "virtual") return undefined;
      const { models, allowedRoutes } = call.principal.key;
      const routeProblem = allowedRoutes.length ? routeRefusal(call, allowedRoutes) : null;
      if (routeProblem) return refuse.accessDenied(routeProblem);
      const modelProblem = models.length ? modelRefusal(call, models) : null;
      return modelProblem ? refuse.accessDenied(modelProblem) : undefined;
    },
  };
}

function routeRefusal(call: BedrockCall, allowed: string[]): string | null {
  const operation = call.route.operation?.operationId ?? null;
  const names = [serviceGroups[call.route.service], routeGroupsBySegment[call.target.segments[0]], operation];
  if (names.some((name) => name && allowed.includes(name))) return null;
  const what = operation ? `operation ${operation}` : `route ${call.request.method} /${call.target.segments[0]}`;
  return `This gateway key may not call ${what} (route group ${routeGroupsBySegment[call.target.segments[0]] ?? "none"}); allowed_routes: ${allowed.join(", ")}.`;
}

function modelRefusal(call: BedrockCall, models: string[]): string | null {
  const operation = call.route.operation?.operationId ?? null;
  if (call.modelId === null) {
    if (operation !== null && !modelInBody.has(operation)) return null;
    return `This gateway key is limited to some models, and ${operation ?? "this operation"} names its model in the request body, which the gateway does not check; use a key without a models list.`;
  }
  if (modelsAllow(models, call.modelId)) return null;
  return `This gateway key may not use model ${call.modelId}.`;
}

/** A key's compiled `models` patterns, kept as long as the key's row is (the key cache replaces it on change). */
const compiled = new WeakMap<string[], RegExp[]>();

/** Whether a key's `models` list (non-empty) allows a model id or ARN; also filters control-plane answers. */
export function modelsAllow(models: string[], modelId: string): boolean {
  let patterns = compiled.get(models);
  if (!patterns) compiled.set(models, (patterns = models.map(modelPattern)));
  const candidates = modelCandidates(modelId);
  return candidates.some((id) => patterns.some((p) => p.test(id)));
}

/**
 * The model id itself, plus the id inside a foundation-model or system inference-profile ARN, so a key
 * allowed `anthropic.*` may also name those models by ARN. Application inference profiles match only by ARN.
 */
export function modelCandidates(modelId: string): string[] {
  const arn = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:(foundation-model|inference-profile)\/(.+)$/.exec(modelId);
  return arn ? [modelId, arn[2]] : [modelId];
}

/** `*` matches any run of characters (`anthropic.*`, `us.anthropic.claude-*`); everything else is literal. */
export function modelPattern(pattern: string): RegExp {
  const body = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join(".*");
  return new RegExp(`^${body}$`);
}
