import type { RawTarget } from "../bedrock/raw-path.ts";
import type { ResolvedRoute } from "../bedrock/route-table.ts";
import type { Principal } from "../auth/principal.ts";

/** Everything known about one /bedrock request, built up step by step and read by the later steps. */
export interface BedrockCall {
  requestId: string;
  startedAt: number;
  request: Request;
  target: RawTarget;
  route: ResolvedRoute;
  region: string;
  principal: Principal;
  /** Decoded model id (or ARN) for /model/{modelId}/... routes. */
  modelId: string | null;
  endUser: string | null;
  body: Uint8Array | null;
}

/** What the proxy learned from upstream, for taps and the log. */
export interface UpstreamResult {
  status: number;
  headers: Headers;
  firstByteAt: number;
}
