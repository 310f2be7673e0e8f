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
  region: string;
  principal: Principal;
  /** Decoded model id (or ARN) for /model/{modelId}/... routes. */
  modelId: string | null;
  endUser: string | null;
  /** The request body, once read (after admission, or earlier when gateway SigV4 needs it to authenticate). */
  body: Uint8Array<ArrayBuffer> | null;
  /** The one read of the body, shared by whichever step needs it first. */
  bodyRead?: Promise<Uint8Array<ArrayBuffer> | null>;

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
