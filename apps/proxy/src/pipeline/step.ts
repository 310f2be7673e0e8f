import type { BedrockCall, CallOutcome, UpstreamResult } from "./context.ts";
import type { BodyTap } from "../bedrock/relay.ts";
import type { Refusal } from "./refusal.ts";

export type { CallOutcome } from "./context.ts";

/**
 * The one shape of a step a feature adds to every admitted Bedrock call (allow-lists, budgets, limits, spend,
 * metrics, access log). A step keeps its per-call state on the call itself; steps know nothing of each other.
 * The pipeline (`bedrock-call.ts`) runs each phase's steps in the order the composition lists them.
 */
export interface CallStep {
  name: string;
  /** Admission, before the body is read: a Refusal ends the call; it never reaches Bedrock. */
  admit?(call: BedrockCall): Promise<Refusal | undefined> | Refusal | undefined;
  /** With the body read, before upstream: reserve what the call may use (budget, tokens). A Refusal ends the call. */
  reserve?(call: BedrockCall): Promise<Refusal | undefined> | Refusal | undefined;
  /** Upstream answered: observe its body as it is relayed. */
  tap?(call: BedrockCall, upstream: UpstreamResult): BodyTap | undefined;
  /** Exactly once per admitted call, after its answer ended, failed, or the call was refused. */
  record?(call: BedrockCall, outcome: CallOutcome): void;
}

/** Which steps run in which phase, in order. A step may take part in several phases. */
export interface CallSteps {
  admit: CallStep[];
  reserve: CallStep[];
  tap: CallStep[];
  record: CallStep[];
}
