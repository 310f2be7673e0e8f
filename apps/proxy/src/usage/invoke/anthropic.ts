import { at, count, isObject } from "../json.ts";
import type { TokenCounts } from "../types.ts";
import { type InvokeFamily, tokens } from "./family.ts";

/**
 * Anthropic Messages API: `usage {input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens,
 * cache_creation: {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}}`.
 */
function fromUsage(usage: unknown): TokenCounts | null {
  if (!isObject(usage)) return null;
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  if (input === undefined && output === undefined) return null;
  const counts = tokens(input, output, count(usage.cache_read_input_tokens), count(usage.cache_creation_input_tokens));
  const oneHour = anthropicOneHourCacheWrites(usage);
  if (oneHour !== undefined) counts.cacheWrite1hInputTokens = oneHour;
  return counts;
}

/** The 1-hour-TTL part of an Anthropic `usage` object's cache writes; undefined when it does not say. */
export function anthropicOneHourCacheWrites(usage: unknown): number | undefined {
  return count(at(usage, "cache_creation", "ephemeral_1h_input_tokens"));
}

export const anthropic: InvokeFamily = {
  name: "anthropic",
  body: (json) => fromUsage(at(json, "usage")),
  /** `message_start.message.usage` gives input (and cache) tokens; `message_delta.usage.output_tokens` is cumulative. */
  stream() {
    let counts: TokenCounts | null = null;
    return {
      push(chunk) {
        const type = at(chunk, "type");
        if (type === "message_start") {
          counts = fromUsage(at(chunk, "message", "usage")) ?? counts;
        } else if (type === "message_delta") {
          const usage = at(chunk, "usage");
          if (!isObject(usage)) return;
          const next = counts ?? tokens(0, 0);
          next.outputTokens = count(usage.output_tokens) ?? next.outputTokens;
          next.inputTokens = count(usage.input_tokens) ?? next.inputTokens;
          next.cacheReadInputTokens = count(usage.cache_read_input_tokens) ?? next.cacheReadInputTokens;
          next.cacheWriteInputTokens = count(usage.cache_creation_input_tokens) ?? next.cacheWriteInputTokens;
          counts = next;
        }
      },
      counts: () => counts,
    };
  },
};
