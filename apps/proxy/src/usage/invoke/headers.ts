import type { TokenCounts } from "../types.ts";

/**
 * InvokeModel's `X-Amzn-Bedrock-Input-Token-Count` / `-Output-Token-Count` headers (and the cache read/write
 * counterparts when Bedrock sends them). Null unless both input and output counts are present and valid.
 */
export function tokensFromInvokeHeaders(headers: Headers): TokenCounts | null {
  const input = headerCount(headers, "x-amzn-bedrock-input-token-count");
  const output = headerCount(headers, "x-amzn-bedrock-output-token-count");
  if (input === undefined || output === undefined) return null;
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadInputTokens: headerCount(headers, "x-amzn-bedrock-cache-read-input-token-count") ?? 0,
    cacheWriteInputTokens: headerCount(headers, "x-amzn-bedrock-cache-write-input-token-count") ?? 0,
  };
}

function headerCount(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || !/^\s*\d+\s*$/.test(raw)) return undefined;
  return Number(raw);
}
