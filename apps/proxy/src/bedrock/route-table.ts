import type { BedrockRoute, BedrockService } from "@bedrock-gateway/api-types";

/**
 * The two services' path sets do not overlap, so the first segment decides where a request goes.
 * Guessing beyond this list (as substring routing does) sends requests to the wrong host.
 */
const serviceByFirstSegment: Record<string, BedrockService> = {
  model: "bedrock-runtime",
  guardrail: "bedrock-runtime",
  "guardrail-checks": "bedrock-runtime",
  "async-invoke": "bedrock-runtime",
  knowledgebases: "bedrock-agent-runtime",
  retrieveAndGenerate: "bedrock-agent-runtime",
  retrieveAndGenerateStream: "bedrock-agent-runtime",
  agents: "bedrock-agent-runtime",
  flows: "bedrock-agent-runtime",
  sessions: "bedrock-agent-runtime",
  rerank: "bedrock-agent-runtime",
  generateQuery: "bedrock-agent-runtime",
  "optimize-prompt": "bedrock-agent-runtime",
  agenticRetrieveStream: "bedrock-agent-runtime",
  tags: "bedrock-agent-runtime",
};

export interface ResolvedRoute {
  service: BedrockService;
  /** The spec's operation, when the method and path match one; unknown operations still pass to AWS. */
  operation: BedrockRoute | null;
  /** Path labels of the matched operation, still percent-encoded. */
  labels: Record<string, string>;
}

export interface RouteTable {
  resolve(method: string, segments: string[]): ResolvedRoute | null;
}

export function createRouteTable(routes: readonly BedrockRoute[]): RouteTable {
  const byFirst = new Map<string, BedrockRoute[]>();
  for (const route of routes) {
    const first = route.segments[0];
    byFirst.set(first, [...(byFirst.get(first) ?? []), route]);
  }
  return {
    resolve(method, segments) {
      const service = Object.hasOwn(serviceByFirstSegment, segments[0]) ? serviceByFirstSegment[segments[0]] : undefined;
      if (!service) return null;
      for (const route of byFirst.get(segments[0]) ?? []) {
        if (route.method !== method) continue;
        const labels = matchSegments(route.segments, segments);
        if (labels) return { service, operation: route, labels };
      }
      return { service, operation: null, labels: {} };
    },
  };
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | null {
  if (template.length !== actual.length) return null;
  const labels: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith("{") && t.endsWith("}")) labels[t.slice(1, -1).replace(/\+$/, "")] = actual[i];
    else if (t !== actual[i]) return null;
  }
  return labels;
}
