import { type Usage, zeroTokens } from "./types.ts";

/** InvokeFlow: flow output and trace events carry no token usage. */
export function flowUsage(): Usage {
  return {
    ...zeroTokens(),
    source: "not-exposed",
    note: "Bedrock exposes no token usage for InvokeFlow: the models its nodes call are billed to the account but not reported in the response",
    complete: false,
  };
}
