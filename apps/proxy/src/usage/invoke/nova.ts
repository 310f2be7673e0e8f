import { at, count, isObject } from "../json.ts";
import type { TokenCounts } from "../types.ts";
import { type InvokeFamily, latestCountsReader, tokens } from "./family.ts";

/** Amazon Nova: `usage {inputTokens, outputTokens, cacheReadInputTokenCount, cacheWriteInputTokenCount}`. */
function fromUsage(usage: unknown): TokenCounts | null {
  if (!isObject(usage)) return null;
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  if (input === undefined && output === undefined) return null;
  return tokens(
    input,
    output,
    count(usage.cacheReadInputTokenCount) ?? count(usage.cacheReadInputTokens),
    count(usage.cacheWriteInputTokenCount) ?? count(usage.cacheWriteInputTokens),
  );
}

export const nova: InvokeFamily = {
  name: "nova",
  body: (json) => fromUsage(at(json, "usage")),
  /** Streams end with a `{"metadata": {"usage": {...}}}` chunk. */
  stream: () => latestCountsReader((chunk) => fromUsage(at(chunk, "metadata", "usage"))),
};
