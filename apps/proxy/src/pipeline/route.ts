import { BEDROCK_PREFIX, BEDROCK_REGION_HEADER } from "@bedrock-gateway/protocol";
import type { BedrockCall } from "./context.ts";
import { refuse, type Refusal } from "./refusal.ts";
import { decodeLabel, parseRawTarget } from "../bedrock/raw-path.ts";
import { requestId } from "../bedrock/request-id.ts";
import { isRegion } from "@bedrock-gateway/protocol";
import type { ResolvedRoute, RouteTable } from "../bedrock/route-table.ts";
import { controlPlaneRefusal, controlPlaneSegments } from "../bedrock/control-plane.ts";

export interface RouteOptions {
  defaultRegion: string;
  routes: RouteTable;
}

/** A call whose caller is not known yet. */
export type RoutedCall = Omit<BedrockCall, "principal">;

/**
 * First step of every /bedrock request: which operation, on which service, in which region, for which model and
 * end user. Reads headers and the path only: nothing refused here has cost a byte of body or a lookup.
 */
export function createRoute(options: RouteOptions) {
  const { routes } = options;

  return function route(request: Request, startedAt: number): RoutedCall | Refusal {
    const parsed = parseRawTarget(request.url, BEDROCK_PREFIX);
    if (!parsed.ok) return refuse.validation(`Invalid Bedrock path: ${parsed.reason}.`);
    const target = parsed.target;
    const resolved = routes.resolve(request.method, target.segments);
    // The control plane is served read-only: writes (and reads outside the slice) are refused before anything else.
    if (resolved ? resolved.service === "bedrock" && !resolved.operation : controlPlaneSegments.has(target.segments[0])) {
      return controlPlaneRefusal(request.method, target.path);
    }
    if (!resolved) return refuse.unknownOperation(`Unknown Bedrock route: /${target.segments[0]}. See /openapi.json for the operations the gateway serves.`);

    const regionHeader = request.headers.get(BEDROCK_REGION_HEADER);
    if (regionHeader !== null && !isRegion(regionHeader)) {
      return refuse.validation(`${BEDROCK_REGION_HEADER} is not an AWS region: ${JSON.stringify(regionHeader.slice(0, 40))}.`);
    }

    return {
      requestId: requestId(startedAt),
      startedAt,
      request,
      target,
      route: resolved,
      region: regionHeader ?? options.defaultRegion,
      modelId: modelIdOf(resolved, target.segments),
      endUser: endUserOf(request.headers),
      body: null,
    };
  };
}


/**
 * The model a call names in its path: the `{modelId}` label, or the label the spec names in `x-bedrock-model`
 * (GetFoundationModel's `modelIdentifier`). Routes whose model is in the body learn it after authentication.
 */
function modelIdOf(resolved: ResolvedRoute, segments: string[]): string | null {
  const label = resolved.operation?.modelFrom ?? "modelId";
  const raw = resolved.labels[label];
  return raw !== undefined ? decodeLabel(raw) : modelIdFromPath(segments);
}

/** Model routes the spec does not list yet still name their model in the second segment. */
function modelIdFromPath(segments: string[]): string | null {
  return segments[0] === "model" && segments.length >= 2 ? decodeLabel(segments[1]) : null;
}

/** The end user a key's owner reports per request (LiteLLM's header names too); null when absent or empty. */
function endUserOf(headers: Headers): string | null {
  const value = headers.get("x-end-user-id") ?? headers.get("x-litellm-end-user-id") ?? headers.get("x-litellm-customer-id");
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, 256) : null;
}

/** Calls whose request body is a live stream of signed events (InvokeModelWithBidirectionalStream). */
export function takesEvents(call: Pick<BedrockCall, "route">): boolean {
  return call.route.operation?.input === "events";
}
