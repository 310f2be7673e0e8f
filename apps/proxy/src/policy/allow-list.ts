import type { BedrockCall } from "../pipeline/context.ts";
import { refuse } from "../pipeline/refusal.ts";
import type { CallStep } from "../pipeline/step.ts";
import { checkModelId, checkModelName, type ModelIdCheck } from "./model-id.ts";

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
  anthropic: "anthropic",
};

export const serviceGroups = { "bedrock-runtime": "runtime", "bedrock-agent-runtime": "agent-runtime", bedrock: "control-plane" } as const;

/** Every group name `allowed_routes` understands (operation ids come on top). */
export const routeGroups = new Set([...Object.values(serviceGroups), ...Object.values(routeGroupsBySegment)]);

/** Refuses (403 AccessDeniedException, before Bedrock) calls outside the key's `models` and `allowed_routes`. */
export function allowListStep(): CallStep {
  return {
    name: "allow-list",
    admit(call) {
      if (call.principal.kind !== "virtual") return undefined;
      const { models, allowedRoutes } = call.principal.key;
      const routeProblem = allowedRoutes.length ? routeRefusal(call, allowedRoutes) : null;
      if (routeProblem) return refuse.accessDenied(routeProblem);
      const modelProblem = models.length ? modelRefusal(call, models, allowedRoutes) : null;
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

/**
 * A key limited to some models may call an operation only when the gateway can check its model: the spec's
 * `/model/{modelId}/...` operations. Every other operation (agents, knowledge bases, guardrails, flows, sessions,
 * and those that name a model in the body) needs an explicit grant in `allowed_routes`, by operation id or route
 * group; the service-wide groups (`runtime`, `agent-runtime`) are too broad to count as one. Paths that match no
 * known operation are refused: what their segments mean to Bedrock is not known here.
 */
function modelRefusal(call: BedrockCall, models: string[], allowed: string[]): string | null {
  const operation = call.route.operation;
  if (operation === null) {
    return `This gateway key is limited to some models, and ${call.request.method} /${call.target.segments[0]}/... matches no operation the gateway knows, so its model cannot be checked.`;
  }
  const checked = namedModel(call);
  if (checked === null) {
    // Control-plane reads that name no model (the lists, a batch job) are filtered in their answer instead (filter-answer.ts).
    if (operation.service === "bedrock") return null;
    const group = routeGroupsBySegment[operation.segments[0]!];
    if (allowed.includes(operation.operationId) || (group !== undefined && allowed.includes(group))) return null;
    return `This gateway key is limited to some models, and ${operation.operationId} does not name its model in the path, where the gateway checks it; grant it explicitly in allowed_routes (${operation.operationId} or ${group ?? "its operation id"}) or use a key without a models list.`;
  }
  if (!checked.ok) return `This gateway key may not use this model id (${checked.reason}).`;
  if (modelsAllow(models, checked.id)) return null;
  return `This gateway key may not use model ${checked.id.slice(0, 200)}.`;
}

/**
 * The model an operation names where the gateway can check it: its `{modelId}` path label (or the label the spec
 * names, as GetFoundationModel's `modelIdentifier`), or for the OpenAI- and Anthropic-compatible routes the body's `model`,
 * read before admission. Null: the operation names none there.
 */
function namedModel(call: BedrockCall): ModelIdCheck | null {
  const from = call.route.operation?.modelFrom;
  if (from === "body") return call.modelId === null ? null : checkModelName(call.modelId);
  const rawModel = call.route.labels[from ?? "modelId"];
  return rawModel === undefined ? null : checkModelId(rawModel);
}

/** A key's compiled `models` patterns, kept as long as the key's row is (the key cache replaces it on change). */
const compiled = new WeakMap<string[], RegExp[]>();

/** Whether a key's (non-empty) `models` list allows a model id or ARN; also what filters control-plane answers. */
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
  const arn = /^arn:aws[a-z-]*:bedrock:[^:/]*:[^:/]*:(foundation-model|inference-profile)\/([^/]+)$/.exec(modelId);
  return arn ? [modelId, arn[2]] : [modelId];
}

/**
 * `*` matches any run of characters except `/` (`anthropic.*`, `us.anthropic.claude-*`), so it cannot reach
 * across an ARN's resource separator; a lone `*` is any model. Everything else is literal.
 */
export function modelPattern(pattern: string): RegExp {
  if (pattern === "*") return /^[\s\S]+$/;
  const body = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("[^/]*");
  return new RegExp(`^${body}$`);
}
