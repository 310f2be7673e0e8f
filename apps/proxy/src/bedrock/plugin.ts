import type { BedrockCall, UpstreamResult } from "./call.ts";
import type { BodyTap, RelayOutcome } from "./relay.ts";
import type { Usage } from "../usage/types.ts";

/** How a call ended, for whoever records it. */
export interface CallOutcome {
  status: number;
  /** Present when the call was refused before reaching upstream. */
  refusal?: { type: string; message: string };
  upstream?: UpstreamResult;
  relay?: RelayOutcome;
  /** What the call used, read from the response as it passed; null when not metered (errors, unmetered operations). */
  usage: Usage | null;
  endedAt: number;
}

/**
 * A concern that wraps every admitted Bedrock call (allow-lists, budgets, rate limits, usage, spend).
 * Each step is optional; plugins know nothing of each other, like the SDK's middleware steps.
 */
export interface CallPlugin {
  name: string;
  /** Before upstream. A Response refuses the call; it never reaches Bedrock. */
  admit?(call: BedrockCall): Promise<Response | undefined> | Response | undefined;
  /** After the body is read, before upstream: reserve what the call may use (budgets, tokens). A Response refuses it. */
  reserve?(call: BedrockCall): Promise<Response | undefined> | Response | undefined;
  /** Upstream answered: observe its body as it is relayed. */
  observe?(call: BedrockCall, upstream: UpstreamResult): BodyTap | undefined;
  /** Exactly once per admitted call, after the body is done, failed, or the call was refused. */
  finish?(call: BedrockCall, outcome: CallOutcome): void;
}
