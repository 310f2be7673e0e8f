import { type Usage, zeroTokens } from "./types.ts";

/**
 * RetrieveAndGenerate(Stream): the response has output, citations and guardrail action, but no usage. The log
 * says so rather than inventing a number.
 */
export function retrieveAndGenerateUsage(): Usage {
  return {
    ...zeroTokens(),
    source: "not-exposed",
    note: "Bedrock exposes no token usage for RetrieveAndGenerate: the generation model's tokens are billed to the account but not reported in the response",
    complete: false,
  };
}
