import { serviceForSegment, type BedrockRoute, type BedrockService } from "@bedrock-gateway/api-types";

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
      // The first segment decides the service; guessing beyond the spec sends requests to the wrong host.
      const service = serviceForSegment(segments[0]);
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
