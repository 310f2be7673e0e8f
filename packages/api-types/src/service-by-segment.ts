import { bedrockRoutes, type BedrockService } from "./bedrock-routes.ts";

/**
 * The two Bedrock APIs' path sets are disjoint, so the first path segment alone decides the service.
 * Derived from the spec's routes: adding an operation under a new segment needs no other edit.
 */
const serviceBySegment: ReadonlyMap<string, BedrockService> = new Map(bedrockRoutes.map((route) => [route.segments[0], route.service]));

export function serviceForSegment(segment: string): BedrockService | null {
  return serviceBySegment.get(segment) ?? null;
}
