import type { EventChainVerifier } from "@bedrock-gateway/sigv4";
import type { RawTarget } from "../bedrock/raw-path.ts";
import type { ResolvedRoute } from "../bedrock/route-table.ts";
import type { Principal } from "../auth/principal.ts";
import type { RelayOutcome } from "../bedrock/relay.ts";
import type { TokenReservation } from "../limits/rate-limiter.ts";
import type { BudgetScope } from "../spend/ledger.ts";
import type { SpendLogRow } from "../store/spend-types.ts";
import type { Usage } from "../usage/types.ts";
import type { Refusal } from "./refusal.ts";

/**
 * One /bedrock call: what the request is (route), who sent it (authenticate), and what each later step learned
 * about it, in one typed object that every step reads and writes. It lives exactly as long as the call.
 */
export interface BedrockCall {
  requestId: string;
  startedAt: number;
  request: Request;
  target: RawTarget;
  route: ResolvedRoute;
  /** The region the call goes to; after failover, the region that served it. */
  region: string;
  principal: Principal;
  /** Decoded model id (or ARN) for /model/{modelId}/... routes. */
  modelId: string | null;
  endUser: string | null;
  /** The request body, once read (after admission, or earlier when gateway SigV4 needs it to authenticate). */
  body: Uint8Array<ArrayBuffer> | null;
  /** The one read of the body, shared by whichever step needs it first. */
  bodyRead?: Promise<Uint8Array<ArrayBuffer> | null>;
  /**
   * A signed event stream's input (InvokeModelWithBidirectionalStream) from a client signing with gateway-issued
   * credentials: each input event is checked against this chain before it is relayed.
   */
  inputChain?: EventChainVerifier;

  /** Region policy step: the regions the key and its team may reach (allowed_regions); absent or null: any. */
  allowedRegions?: readonly string[] | null;
  /** Failover: every upstream attempt in order, when the call had a failover route (absent: one plain attempt). */
  attempts?: UpstreamAttempt[];

  /** Budget step: the key's, user's, team's and end user's budgets. */
  budgetScopes?: BudgetScope[];
  /** Budget step: USD reserved in every budget scope, replaced by the real cost when the call is recorded. */
  budgetReserved?: number;
  /** Limits step: token estimates reserved once the body is read, replaced by the real count when the call is recorded. */
  reservation?: TokenReservation;
  /** STORE_REQUEST_BODIES: the answer's first bytes, for the spend row. */
  capturedResponse?: { parts: Uint8Array[]; size: number };
  /** Model-lookup step: the model an application inference profile or agent alias runs, as the control plane said. */
  modelLookup?: { how: string } & ({ model: string } | { error: string });
  /** Price step: what the call cost (null: unknown) and why. */
  cost?: { spend: number | null; note: string | null };
  /** Spend-row step: the row as stored, which the access log prints. */
  spendRow?: SpendLogRow;
}

/** One try of a call in one region (failover), as the spend row and the access log show it. */
export interface UpstreamAttempt {
  region: string;
  /** The model id sent there, when it differs from the client's (an inference profile tried instead). */
  model?: string;
  /** Upstream status; null when none came (connection failure) or the region was skipped. */
  status: number | null;
  /** Bedrock's error type, `connection: ...`, or `breaker open` for a region skipped without a call. */
  error?: string;
  /** Milliseconds from sending to the answer's headers (0 when skipped). */
  ms: number;
}

/** What the proxy learned from upstream, for taps and the log. */
export interface UpstreamResult {
  status: number;
  headers: Headers;
  firstByteAt: number;
}

/** How a call ended, for the record steps. */
export interface CallOutcome {
  status: number;
  /** Present when the call was answered by the gateway itself (refused, unsigned, upstream unreachable). */
  refusal?: Refusal & { by: string };
  upstream?: UpstreamResult;
  relay?: RelayOutcome;
  /** What the call used, read from the response as it passed; null when not metered (errors, unmetered operations). */
  usage: Usage | null;
  endedAt: number;
}
